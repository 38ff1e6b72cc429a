"""The projector view in a real browser: it follows the moderator's focus live over the room
socket (as a reader), in large type, and passes axe-core.

The server is the session's Daphne over the demo (``conftest.py``); the room is the demo's
``bildung-sprache``. Waiting is Playwright's (``expect``), never a sleep.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import assert_accessible, junk_text

pytestmark = pytest.mark.browser

ROOM = "/raeume/bildung-sprache/"
PROJECTOR = ROOM + "projektion/"


def _open(page: Page, path: str) -> Page:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def test_the_projector_follows_the_moderators_focus_within_a_second(
    user_page: Callable[..., Page], new_context: Callable[..., BrowserContext]
) -> None:
    mara = _open(user_page("moderator"), ROOM)
    # The wall: an anonymous reader of the public room, on a projector's screen.
    wall = _open(new_context(viewport={"width": 1920, "height": 1080}).new_page(), PROJECTOR)
    title = wall.locator("#projector-goal-title")

    # Two different goals in turn, so the second change is a change whatever the focus was.
    for index in (0, 1):
        button = mara.locator(".goal-switch__button").nth(index)
        goal_title = button.locator(".goal-switch__title").inner_text()
        button.click()
        expect(mara.locator("#goal-title")).to_have_text(goal_title)
        focus = mara.get_by_role("button", name="Alle auf dieses Ziel holen")
        if focus.count():
            focus.click()
        expect(title).to_have_text(goal_title, timeout=1_000)
        expect(wall.locator("#projector-goal-text li").first).to_be_visible(timeout=1_000)

    assert not junk_text(wall.locator("body").inner_text())
    assert_accessible(wall)

    mara.get_by_role("button", name="Fokus aufheben").click()
    expect(title).to_have_text("Kein Ziel im Fokus", timeout=1_000)
    assert_accessible(wall)


def test_a_temperature_check_and_the_speakers_time_reach_the_room_and_the_wall(
    user_page: Callable[..., Page], new_context: Callable[..., BrowserContext]
) -> None:
    mara = _open(user_page("moderator"), ROOM)
    ayse = _open(user_page("expert1"), ROOM)
    wall = _open(new_context().new_page(), PROJECTOR)

    # The moderator sets a time per turn; the expert gets the floor: everyone counts down.
    mara.locator("#session-panel summary").click()
    mara.locator("#session-speaking-time").fill("120")
    mara.locator(".session-settings__form button[type=submit]").click()
    ayse.get_by_role("button", name="Hand heben").click()
    mara.get_by_role("button", name="Nächste Wortmeldung").click()
    expect(wall.locator("#projector-speaker-time")).to_contain_text("Redezeit: 2:00")
    expect(wall.locator("#projector-speaker-time")).to_contain_text(re.compile(r"1:5\d"))
    expect(ayse.locator("#session-speaker")).to_contain_text("Redezeit von")
    ayse.get_by_role("button", name="Wortbeitrag beenden").click()

    # A Blitzlicht: asked, answered, counted live; the answer is not a decision.
    question = "Sind wir auf dem richtigen Weg?"
    mara.locator("#session-pulse-question").fill(question)
    mara.get_by_role("button", name="Blitzlicht starten").click()
    expect(wall.locator("#projector-pulse-question")).to_have_text(question)
    ayse.locator("#session-pulse [data-answer=agree]").click()
    expect(wall.locator("#projector-pulse-counts")).to_contain_text("👍 1")
    expect(mara.locator("#session-pulse [data-count=agree]")).to_contain_text("1")
    expect(ayse.locator("#session-pulse [data-answer=agree]")).to_have_attribute(
        "aria-pressed", "true"
    )
    for page in (ayse, wall):
        assert not junk_text(page.locator("body").inner_text())
        assert_accessible(page)
    mara.get_by_role("button", name="Blitzlicht beenden").click()
    expect(ayse.locator("#session-pulse")).to_contain_text("keine Entscheidung")
