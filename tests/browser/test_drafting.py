"""Line numbers and the plain-language twin on a phone (issue 14, part B): the goal page and
the room number the same lines, show the twin beside the binding text with its note and,
after a new version, as out of date; a comment's "Zeile 2" links to that line of its version
and its anchor, moved to another paragraph, says "verschoben". axe finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, log_in
from tests.browser.test_drafter import seed

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

TWIN_AND_MOVE = """
from deliberation import plain
first = ("Die Stadt richtet in jedem Stadtteil eine Beratungsstelle ein, die montags bis "
    "freitags geöffnet hat und in mehreren Sprachen berät. Jede Stelle hat eine Lotsin.")
services.goal_version_create(actor=people["drafter"], goal=goal,
    text=first + "\\n\\nDie Stadt berichtet jährlich.")
goal.refresh_from_db()
plain.plain_text_set(actor=people["drafter"], goal_id=goal.pk,
    text="Die Stadt hilft in allen Vierteln.")
services.comment_post(actor=people["expert1"], circle=room, goal_id=goal.pk,
    body="Siehe Zeile 2: wer bezahlt die Lotsin?", client_key="lotsin",
    anchor_paragraph=1, anchor_quote="Jede Stelle hat eine Lotsin.")
goal.refresh_from_db()
services.goal_version_create(actor=people["drafter"], goal=goal,
    text=first.replace(" Jede Stelle hat eine Lotsin.", "")
    + "\\n\\nDie Stadt berichtet jährlich. Jede Stelle hat eine Lotsin.")
"""


def test_line_numbers_and_the_twin_on_a_phone(browser: Browser, server: Server) -> None:
    seed(server, "drafting-b", "Beratung", "Beratung im Stadtteil", TWIN_AND_MOVE)
    page = browser.new_context(base_url=server.url, locale="de-DE", **PHONE).new_page()
    log_in(page, "expert1")

    # The room: numbered lines, the twin with its note (out of date), the moved anchor.
    page.goto("/raeume/drafting-b/")
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    lines = page.locator("#goal-paragraphs .line")
    expect(lines.first).to_be_visible()
    room_lines = {
        int(n): t.strip()
        for n, t in zip(
            lines.evaluate_all("ls => ls.map(l => l.dataset.line)"),
            lines.all_inner_texts(),
            strict=True,
        )
    }
    assert list(room_lines) == list(range(1, len(room_lines) + 1)) and len(room_lines) >= 3
    href = page.locator("a.room-goal__link").get_attribute("href") or ""
    goal = int(href.split("/")[2])
    twin = page.locator("#goal-plain")
    expect(twin).to_be_visible()
    expect(twin).to_contain_text("Abgestimmt wird nur über den verbindlichen Text.")
    expect(twin).to_contain_text("veraltet – bezieht sich auf Fassung 2")
    card = page.locator(".comment").filter(has_text="wer bezahlt die Lotsin?")
    expect(card.locator(".comment__placement")).to_contain_text("verschoben")
    expect(card.get_by_role("link", name="Stelle in Fassung 2")).to_have_attribute(
        "href", f"/ziele/{goal}/fassungen/2/#absatz-1"
    )
    citation = card.get_by_role("link", name="Zeile 2")
    expect(citation).to_have_attribute("href", f"/ziele/{goal}/fassungen/2/#zeile-2")
    assert_accessible(page)

    # The goal page numbers the same lines and shows the twin beside the binding text.
    page.goto(f"/ziele/{goal}/")
    numbers = page.locator(".paragraphs--numbered .line")
    page_lines = {
        int(n): t.split(" ", 1)[1].strip() if " " in t else ""
        for n, t in zip(
            numbers.evaluate_all("ls => ls.map(l => l.dataset.line)"),
            numbers.evaluate_all("ls => ls.map(l => l.textContent)"),
            strict=True,
        )
    }
    assert page_lines == room_lines
    expect(page.locator(".line__no").first).to_be_visible()
    expect(page.locator(".plain-twin")).to_contain_text("veraltet – bezieht sich auf Fassung 2")
    expect(page.locator(".plain-twin")).to_contain_text("Die Stadt hilft in allen Vierteln.")
    assert_accessible(page)

    # The citation opens version 2 at line 2.
    page.goto(f"/ziele/{goal}/fassungen/2/#zeile-2")
    expect(page.locator("#zeile-2")).to_be_in_viewport()
    assert_accessible(page)
    page.context.close()
