"""A real `ceasefire serve` with the seed fixtures, and Debian's Chromium driven by Playwright.

Chromium comes from apt (`/usr/bin/chromium`, which `.ci/run` installs), never
from `playwright install`: the tests skip without it, unless
CEASEFIRE_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_server import start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "no /usr/bin/chromium: apt-get install -y chromium"
        if os.environ.get("CEASEFIRE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("web")
    process, base = start_server(f"sqlite:///{data_dir}/store.sqlite3", data_dir, CEASEFIRE_LOAD_FIXTURES="true")
    yield base
    process.terminate()
    process.wait(timeout=15)


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def static_page(browser, base_url):
    """The page as a browser without JavaScript gets it."""
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
