"""The room on a 375×740 phone, in a real browser: "Hand heben" and the way to the comment box
stay within the first screen in every phase of a round, however far the page is scrolled.

Uses the demo circle ``sport-ag``; the round it opens is closed again at the end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import assert_accessible, assert_no_junk_text

pytestmark = pytest.mark.browser

ROOM = "/raeume/sport-ag/"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def open_room(page: Page) -> Page:
    page.goto(ROOM)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def switch_phase(moderator: Page, to: str) -> None:
    moderator.get_by_role("button", name=f"Weiter zur Phase „{to}“").click()
    dialog = moderator.get_by_role("dialog", name="Phase wechseln?")
    dialog.get_by_role("button", name="Phase wechseln").click()
    expect(dialog).to_be_hidden()


def within_first_screen(page: Page, selector: str) -> None:
    """The element is on screen as the page is now, its bottom within the 740 px."""
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740, (selector, box)


def hand_and_box_in_reach(phone: Page) -> None:
    for scroll in (0, 100_000):  # at the top, and at the very bottom of the page
        phone.evaluate("y => window.scrollTo(0, y)", scroll)
        hand = phone.get_by_role("button", name="Hand heben")
        expect(hand).to_be_visible()
        expect(hand).to_be_in_viewport()
        within_first_screen(phone, "#hand-quick")
        within_first_screen(phone, ".room-quickbar__comment")
    phone.get_by_role("button", name="Kommentieren", exact=True).click()
    expect(phone.get_by_label("Kommentar (Markdown)")).to_be_focused()
    expect(phone.get_by_label("Kommentar (Markdown)")).to_be_in_viewport()
    phone.evaluate("() => window.scrollTo(0, 0)")


def test_on_a_phone_the_hand_and_the_comment_box_are_in_reach_in_every_phase(
    user_page: Callable[..., Page],
) -> None:
    moderator = open_room(user_page("moderator"))
    phone = open_room(user_page("expert3", **PHONE))
    hand_and_box_in_reach(phone)
    assert_accessible(phone)

    moderator.get_by_role("button", name="Runde eröffnen").click()
    expect(phone.locator("[data-round-phase]")).to_have_text("Diskussion")
    hand_and_box_in_reach(phone)
    # The bar's hand is the real one: it goes up and the queue shows it.
    phone.get_by_role("button", name="Hand heben").click()
    expect(moderator.locator("#hand-queue")).to_contain_text("Olena")
    expect(phone.locator("#hand-quick")).to_have_text("Hand senken")
    phone.get_by_role("button", name="Hand senken").click()
    expect(moderator.locator("#hand-queue")).not_to_contain_text("Olena")

    for phase in ("Auswertung", "Überarbeitung"):
        switch_phase(moderator, phase)
        expect(phone.locator("[data-round-phase]")).to_have_text(phase)
        hand_and_box_in_reach(phone)
        assert_no_junk_text(phone)
    assert_accessible(phone)
    switch_phase(moderator, "Abgeschlossen")
    expect(phone.locator("#round-title")).to_have_text("Freie Diskussion")
