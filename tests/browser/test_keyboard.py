"""Keyboard shortcuts in the room, in a real browser: the common actions by key (never while
typing in a field), listed in a help dialog that keeps and returns the focus.

Uses the demo circle ``sport`` (read-only here: the hand goes up and down again)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import assert_accessible, assert_no_junk_text

pytestmark = pytest.mark.browser

ROOM = "/raeume/sport/"


def open_room(page: Page) -> Page:
    page.goto(ROOM)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def test_shortcuts_act_only_outside_fields_and_the_help_dialog_returns_the_focus(
    user_page: Callable[..., Page],
) -> None:
    page = open_room(user_page("expert2"))
    box = page.get_by_label("Kommentar (Markdown)")
    hand = page.locator("#hand-toggle")
    expect(hand).to_have_text("Hand heben")

    # c: to the comment box; typed there, letters are text, not shortcuts.
    page.locator("body").press("c")
    expect(box).to_be_focused()
    box.press_sequentially("chk?")
    expect(box).to_have_value("chk?")
    expect(hand).to_have_text("Hand heben")
    expect(page.locator("#room-keys-help")).to_have_count(0)
    box.fill("")

    # h: the hand goes up, and down again.
    page.locator("#goal-title").click()
    page.keyboard.press("h")
    expect(hand).to_have_text("Hand senken")
    page.keyboard.press("h")
    expect(hand).to_have_text("Hand heben")

    # ?: the help, a modal dialog with a heading; Escape closes it and the focus returns.
    opener = page.get_by_role("button", name="Tastenkürzel")
    opener.focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Tastenkürzel im Raum")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Tastenkürzel im Raum")).to_be_visible()
    expect(dialog).to_contain_text("Zum Kommentarfeld")
    expect(dialog).to_contain_text("Hand heben oder senken")
    # The focus stays in the dialog: Tab goes round its one button.
    expect(dialog.get_by_role("button", name="Schließen")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    # The button opens it too; "Schließen" closes it.
    opener.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Schließen").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert_no_junk_text(page)
