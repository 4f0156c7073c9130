"""The documentation stands on its own: links stay inside the repo, and every curl example answers as it says.

Examples run in page order against a real `ceasefire serve` with the seed
timeline. A `# expect 409` line before a curl says which status it must
answer; any other curl must answer 2xx.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_server import ROOT, start_server

PAGES = sorted(path for path in ROOT.rglob("*.md")
               if not {".venv", ".git", "node_modules", ".pytest_cache"} & set(path.relative_to(ROOT).parts))
EXAMPLE_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
EXPECT = re.compile(r"^# expect (\d{3})$")

# Each curl keeps its own output (so `| python3 -m json.tool` still checks the JSON) and notes its status.
CURL_RECORDING_STATUS = """
curl() {
  local status
  status=$(command curl -sS -o "$BODY" -w '%{http_code}' "$@") || return 1
  cat "$BODY"
  echo "$status" >> "$STATUSES"
}
"""


def relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # code is not a link
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:|^#", target)]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repo(page):
    for target in relative_links(page):
        resolved = (page.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{target} does not exist"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_holds_an_unresolved_merge(page):
    markers = [line for line in page.read_text().splitlines() if re.match(r"^(<{7}|>{7}) ", line)]
    assert markers == []


def expected_statuses(block: str) -> list[str | None]:
    """One entry per curl in the block: its announced status, or None for any 2xx."""
    expected, announced = [], None
    for line in block.splitlines():
        if found := EXPECT.match(line.strip()):
            announced = found[1]
        elif line.startswith("curl "):
            expected.append(announced)
            announced = None
    return expected


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("docs")
    process, base = start_server(f"sqlite:///{data_dir}/store.sqlite3", data_dir, CEASEFIRE_LOAD_FIXTURES="true",
                                 CEASEFIRE_TOKENS="writer:dev-writer,auditor:dev-auditor")
    yield base, data_dir
    process.terminate()
    process.wait(10)


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_curl_example_answers_as_the_page_says(page, seeded):
    base, data_dir = seeded
    for number, block in enumerate(SH_BLOCK.findall(page.read_text()), start=1):
        if not block.lstrip().startswith(("curl", "#")):
            continue  # commands to install or run, not requests
        statuses = data_dir / "statuses"
        statuses.write_text("")
        script = CURL_RECORDING_STATUS + block.replace("http://127.0.0.1:8000", base)
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], capture_output=True, text=True,
                              timeout=60, env={"BODY": str(data_dir / "body"), "STATUSES": str(statuses),
                                               "PATH": "/usr/bin:/bin:/usr/local/bin"})
        where = f"{page.name}, example {number}:\n{block}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert done.returncode == 0, where
        answered = statuses.read_text().split()
        expected = expected_statuses(block)
        assert len(answered) == len(expected), where
        for status, wanted in zip(answered, expected, strict=True):
            assert status == wanted if wanted else status.startswith("2"), f"answered {status}; {where}"
