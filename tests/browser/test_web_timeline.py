"""The web timeline in a real Chromium, told through the seed story (SPEC §11)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

QATAR_TALKS = "4c8155df-91c1-591f-93fd-457e59718db2"
JEDDAH_PROPOSAL = "7e5ca413-b611-59fc-94d5-083490508621"
KURSK_INCURSION = "c181c017-5fd9-504b-845d-db09bf3bff82"
KURSK_COUNTER_OFFENSIVE = "35c1c962-a199-5869-9b2f-39ff7680d3aa"
MINSK_II = "e356ae39-e5c4-53e6-b0bf-85453a55c687"
DEBALTSEVE = "de7fd5d5-3127-5493-beae-6beecf133097"


def event(page, event_id):
    return page.locator(f'#events li[data-event-id="{event_id}"], #ongoing li[data-event-id="{event_id}"]')


def known_at_in_url(page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("known_at", [None])[0]


def test_secret_qatar_talks_are_not_on_the_page_on_10_august_2024(page):
    page.goto("/timeline?known_at=2024-08-10")
    assert page.locator("#events li[data-event-id]").count() > 0
    assert event(page, KURSK_INCURSION).count() == 1
    assert event(page, QATAR_TALKS).count() == 0


def test_the_qatar_talks_are_on_the_page_on_20_august_2024(page):
    page.goto("/timeline?known_at=2024-08-20")
    assert event(page, QATAR_TALKS).count() == 1
    assert page.locator("#as-of").get_attribute("data-known-at") == "2024-08-20T00:00:00.000000Z"


def test_the_jeddah_proposal_reads_conditional_from_11_march_2025(page):
    page.goto("/timeline?known_at=2025-03-10")
    assert event(page, JEDDAH_PROPOSAL).count() == 0
    page.goto("/timeline?known_at=2025-03-11T12:00:00Z")
    assert event(page, JEDDAH_PROPOSAL).locator(".agreement-status").inner_text().lower() == "conditional"
    page.goto("/timeline?known_at=2025-03-19")
    assert event(page, JEDDAH_PROPOSAL).locator(".agreement-status").inner_text().lower() == "rejected"


def test_the_keyboard_moves_the_slider_and_the_url_gets_known_at(page):
    page.goto("/timeline?known_at=2024-08-10&from=2024-08&to=2024-08")
    assert event(page, QATAR_TALKS).count() == 0
    page.focus("#known-at")
    with page.expect_response(re.compile(r"/timeline/results\?")):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#as-of').dataset.knownAt.startsWith('2024-08-17')")
    assert known_at_in_url(page) == "2024-08-17T00:00:00Z"
    assert event(page, QATAR_TALKS).count() == 1
    count = page.locator("#events li[data-event-id]").count()
    assert page.locator("[aria-live]").inner_text().startswith(f"{count} event")


def test_sliding_back_and_forth_updates_the_list_without_a_reload(page):
    page.goto("/timeline?known_at=2025-03-19")
    everything = page.locator("#events > li").count()
    first_step = page.evaluate("JSON.parse(document.querySelector('#knowledge-steps').textContent)[0]")
    page.evaluate("window.notReloaded = true")
    page.focus("#known-at")
    page.keyboard.press("Home")
    page.wait_for_function(f"document.querySelector('#as-of').dataset.knownAt.startsWith('{first_step[:19]}')")
    assert 0 < page.locator("#events > li").count() < everything
    assert known_at_in_url(page) == first_step
    page.keyboard.press("End")
    page.wait_for_function(f"document.querySelector('#events').children.length === {everything}")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("[aria-live]").inner_text().startswith(f"{everything} events")


def test_every_request_the_page_makes_goes_to_the_app(page, base_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/timeline?known_at=2025-03-19&from=2025-03&to=2025-03&compare_at=2025-03-10")
    page.focus("#known-at")
    with page.expect_response(re.compile(r"/timeline/results\?")):
        page.keyboard.press("ArrowLeft")
    page.wait_for_load_state("networkidle")
    assert len(requested) >= 4  # the page, its style, its script, its icon, a step
    assert all(url.startswith(base_url + "/") for url in requested), requested


def test_without_javascript_the_page_lists_events_and_pages_with_rel_next(static_page):
    static_page.goto("/timeline?limit=5")
    assert static_page.locator("#events > li[data-event-id]").count() == 5
    next_page = static_page.locator('a[rel="next"]')
    first_ids = static_page.locator("#events > li").evaluate_all("items => items.map(i => i.dataset.eventId)")
    next_page.click()
    second_ids = static_page.locator("#events > li").evaluate_all("items => items.map(i => i.dataset.eventId)")
    assert len(second_ids) == 5 and not set(first_ids) & set(second_ids)


def test_a_window_lists_events_under_way_apart_from_those_beginning_in_it(static_page):
    static_page.goto("/timeline?from=2025-03&to=2025-03&known_at=2025-03-20")
    assert static_page.locator(f'#ongoing li[data-event-id="{KURSK_INCURSION}"]').count() == 1
    assert static_page.locator(f'#events li[data-event-id="{KURSK_INCURSION}"]').count() == 0
    assert static_page.locator(f'#events li[data-event-id="{JEDDAH_PROPOSAL}"]').count() == 1


def test_compare_at_marks_what_changed_since(page):
    page.goto("/timeline?from=2025-03&to=2025-03&known_at=2025-03-19&compare_at=2025-03-12")
    assert "added" in event(page, KURSK_COUNTER_OFFENSIVE).get_attribute("data-change").split()
    assert "status" in event(page, JEDDAH_PROPOSAL).get_attribute("data-change").split()
    assert page.locator("#events li[data-change]").count() < page.locator("#events li").count()


def test_the_lead_up_to_minsk_ii_is_marked(page):
    page.goto("/timeline?from=2015-01&to=2015-02&known_at=2015-03-01")
    assert MINSK_II in event(page, DEBALTSEVE).get_attribute("data-lead-up").split()
    assert page.locator(f'#chart .lead-up-band[data-lead-up-of="{MINSK_II}"]').count() == 1


def test_a_bad_or_unknown_parameter_gives_a_400_page_naming_it(static_page):
    for query, name in (("knownat=2024-08-10", "knownat"), ("known_at=yesterday", "known_at"),
                        ("ongoing=only", "ongoing"), ("from=2025&to=2024", "from")):
        response = static_page.goto(f"/timeline?{query}")
        assert response.status == 400
        assert response.headers["content-type"].startswith("text/html")
        assert name in static_page.locator(".problem").inner_text()


def test_an_events_page_shows_its_history_with_clocks_hashes_and_proofs(static_page):
    static_page.goto(f"/timeline/events/{JEDDAH_PROPOSAL}")
    rows = static_page.locator("#history tbody tr")
    assert rows.count() == 5  # the report, a source, three positions
    first = rows.first
    assert first.locator("td").nth(1).inner_text().startswith("EventReported")
    assert re.fullmatch(r"[A-Za-z0-9+/]{43}=", first.locator("code.hash").inner_text())
    position = first.get_attribute("data-position")
    proof = static_page.request.get(first.locator("a.proof").get_attribute("href")).json()
    assert proof["leaf_index"] == int(position) - 1


def test_the_home_page_redirects_to_the_timeline(page):
    page.goto("/")
    assert urlparse(page.url).path == "/timeline"


def test_the_drawing_blurs_doubtful_dates_and_leaves_open_ends_open(page):
    ilovaisk = "0de7badb-65dc-5722-9389-3729f76ffb65"
    page.goto("/timeline?from=2014-08&to=2014-09&known_at=2014-09-10")
    fuzzy = page.locator(f'#chart rect[data-event-id="{ilovaisk}"]')
    assert "fuzzy" in fuzzy.get_attribute("class") and fuzzy.get_attribute("filter") == "url(#fuzz)"
    page.goto("/timeline?from=2024-08&to=2024-12&known_at=2024-12-01")
    open_end = page.locator(f'#chart rect[data-event-id="{KURSK_INCURSION}"]')
    box, chart = open_end.bounding_box(), page.locator("#chart").bounding_box()
    assert "open-end" in open_end.get_attribute("class") and open_end.get_attribute("mask") == "url(#open-end)"
    assert abs((box["x"] + box["width"]) - (chart["x"] + chart["width"])) < 2
