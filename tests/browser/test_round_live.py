"""Rounds and the vote live in the room, in a real browser.

A moderator opens a round and drives it through its phases while an expert's page follows
live; three experts vote in the room's own vote panel, the moderator closes, and a viewer's
concept document shows the goal without reloading. Uses the demo circles ``arbeit`` and
``gesundheit`` (other browser tests use other circles of the shared server)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, log_in

pytestmark = pytest.mark.browser

ROUND_ROOM = "/raeume/arbeit/"
VOTE_ROOM = "/raeume/gesundheit/"


def signed_in(browser: Browser, server: Server, username: str, **options: object) -> Page:
    context = browser.new_context(base_url=server.url, locale="de-DE", **options)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, username)
    return page


def open_room(page: Page, path: str) -> Page:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return page


def switch_phase(moderator: Page, to: str) -> None:
    moderator.get_by_role("button", name=f"Weiter zur Phase „{to}“").click()
    dialog = moderator.get_by_role("dialog", name="Phase wechseln?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Phase wechseln").click()
    expect(dialog).to_be_hidden()


def test_moderator_drives_the_phases_and_the_expert_follows_live(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), ROUND_ROOM)
    expert = open_room(
        signed_in(
            browser,
            server,
            "expert1",
            viewport={"width": 375, "height": 740},
            is_mobile=True,
            has_touch=True,
        ),
        ROUND_ROOM,
    )
    expect(expert.locator("#round-title")).to_have_text("Freie Diskussion")

    # The moderator opens round 1 with a time box; the expert sees it and its countdown.
    moderator.get_by_label("Zeit je Ziel (Minuten, leer: ohne)").fill("5")
    moderator.get_by_role("button", name="Runde eröffnen").click()
    expect(expert.locator("#round-title")).to_contain_text("Runde 1")
    expect(expert.locator("[data-round-phase]")).to_have_text("Diskussion")
    moderator.locator(".round-agenda button").first.click()
    countdown = expert.locator("#round-countdown")
    expect(countdown).to_have_text(re.compile(r"^noch 0[45]:\d\d$"))

    # The expert rates the focused goal and sees the live aggregate.
    rating = expert.locator(".round-rating__form")
    rating.get_by_label("4", exact=True).check()
    rating.get_by_label("Muss überarbeitet werden").check()
    rating.get_by_role("button", name="Bewertung speichern").click()
    expect(moderator.locator("#rating-summary")).to_contain_text("1 Bewertungen, Mittelwert 4")
    # After a reload the expert's own rating is still shown as theirs.
    expert.reload()
    expect(expert.locator("body")).to_have_attribute("data-ws", "open")
    rating = expert.locator(".round-rating__form")
    expect(rating.get_by_label("4", exact=True)).to_be_checked()
    expect(rating.get_by_label("Muss überarbeitet werden")).to_be_checked()
    expect(rating).to_contain_text("Ihre Bewertung: 4")
    box = expert.get_by_label("Kommentar (Markdown)")
    expect(box).to_be_editable()
    assert_accessible(expert)

    # Cancelling the confirmation changes nothing.
    moderator.get_by_role("button", name="Weiter zur Phase „Auswertung“").click()
    moderator.get_by_role("dialog").get_by_role("button", name="Abbrechen").click()
    expect(moderator.locator("[data-round-phase]")).to_have_text("Diskussion")

    switch_phase(moderator, "Auswertung")
    expect(moderator.locator("[data-round-phase]")).to_have_text("Auswertung")
    expect(expert.locator("[data-round-phase]")).to_have_text("Auswertung")
    expect(box).not_to_be_editable()
    expect(expert.locator("#composer-closed")).to_be_visible()
    expect(expert.locator(".round-rating__form")).to_have_count(0)
    expect(expert.get_by_role("button", name="Senden")).to_be_disabled()
    assert_accessible(moderator)

    switch_phase(moderator, "Überarbeitung")
    expect(expert.locator("[data-round-phase]")).to_have_text("Überarbeitung")
    expect(box).not_to_be_editable()

    # The moderator publishes a revised version of the focused goal from the room; the
    # expert's phone shows the new text without reloading.
    revised = "Überarbeitet im Raum: Jede Einrichtung benennt eine Ansprechperson."
    form = moderator.locator(".round-revision__form").first
    text = form.get_by_label("Text der neuen Fassung (Markdown, Absätze durch Leerzeilen)")
    text.fill(revised)
    form.get_by_label("Was hat sich geändert? (kurz)").fill("Ansprechperson ergänzt")
    form.get_by_role("button", name="Fassung veröffentlichen").click()
    expect(expert.locator("#absatz-1")).to_contain_text(revised)
    assert_accessible(moderator)

    # Close the round: the room is back in free discussion and the box opens again.
    switch_phase(moderator, "Abgeschlossen")
    expect(expert.locator("#round-title")).to_have_text("Freie Diskussion")
    expect(box).to_be_editable()
    moderator.context.close()
    expert.context.close()


def test_three_experts_vote_in_the_room_and_the_viewer_sees_the_concept_update(
    browser: Browser, server: Server, page: Page
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), VOTE_ROOM)
    goal_title = moderator.locator("#goal-switch li").first.inner_text().strip().splitlines()[0]

    # A viewer reads the concept document (it updates live).
    page.goto("/konzept/")
    section = page.locator(".concept-doc__field", has_text="Gesundheit")
    expect(page.locator("body")).to_have_attribute("data-concept-live", "open")

    opener = moderator.locator("#room-votes-open")
    opener.get_by_role("checkbox").first.check()
    opener.get_by_role("button", name="Abstimmung eröffnen").click()
    card = moderator.locator(".vote-panel__motion").first
    expect(card).to_contain_text("0 von 3 haben abgestimmt")
    voted_title = card.locator("h3").inner_text()
    assert goal_title in voted_title or voted_title

    for number, username in enumerate(("expert1", "expert2", "expert3"), start=1):
        voter = open_room(signed_in(browser, server, username), VOTE_ROOM)
        panel = voter.locator(".vote-panel__motion").first
        panel.get_by_role("radio", name=re.compile(r"^Zustimmung Ich trage")).check()
        panel.get_by_label("Ich habe meine Auswahl geprüft").check()
        panel.get_by_role("button", name="Stimme abgeben").click()
        expect(panel.locator(".vote-panel__status")).to_have_text("Ihre Stimme ist abgegeben.")
        expect(card).to_contain_text(f"{number} von 3 haben abgestimmt")
        if number == 1:
            assert_accessible(voter)
        voter.context.close()

    card.get_by_label("Abstimmung jetzt schließen").check()
    card.get_by_role("button", name="Schließen und auszählen").click()
    result = moderator.locator(".vote-panel__result").first
    expect(result.locator(".vote-outcome")).to_contain_text("angenommen")
    expect(result.locator(".vote-table")).to_contain_text("3")

    # The viewer's concept document shows the goal without a reload.
    title = re.sub(r"^Abstimmung über „(.*)“$", r"\1", voted_title)
    expect(section.locator("h3", has_text=title)).to_be_visible()
    moderator.context.close()
