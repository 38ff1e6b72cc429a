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
from tests.browser.support import assert_accessible, assert_no_junk_text, log_in

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


def reads_clean(*pages: Page) -> None:
    """No page shows a leaked "null", "undefined", "NaN" or "[object Object]"."""
    for page in pages:
        assert_no_junk_text(page)


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
    reads_clean(moderator, expert)

    # The moderator opens round 1 with a time box; the expert sees it and its countdown.
    moderator.get_by_label("Zeit je Ziel (Minuten, leer: ohne)").fill("5")
    moderator.get_by_role("button", name="Runde eröffnen").click()
    expect(expert.locator("#round-title")).to_contain_text("Runde 1")
    expect(expert.locator("[data-round-phase]")).to_have_text("Diskussion")
    moderator.locator(".round-agenda button").first.click()
    countdown = expert.locator("#round-countdown")
    expect(countdown).to_have_text(re.compile(r"^noch 0[45]:\d\d$"))
    reads_clean(moderator, expert)

    # The expert rates the focused goal and sees the live aggregate: on the phone the rating
    # sits in its own section after the comments; the round's bar leads there.
    expert.get_by_role("link", name="Jetzt bewerten").click()
    expect(expert.locator("#round-sec-rating")).to_have_attribute("open", "")
    rating = expert.locator(".round-rating__form")
    rating.get_by_label("4", exact=True).check()
    rating.get_by_label("Muss überarbeitet werden").check()
    rating.get_by_role("button", name="Bewertung speichern").click()
    expect(moderator.locator("#rating-summary")).to_contain_text("1 Bewertungen, Mittelwert 4")
    # After a reload the expert's own rating is still shown as theirs.
    expert.reload()
    expect(expert.locator("body")).to_have_attribute("data-ws", "open")
    expert.get_by_role("link", name="Jetzt bewerten").click()
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
    reads_clean(moderator, expert)
    assert_accessible(moderator)

    switch_phase(moderator, "Überarbeitung")
    expect(expert.locator("[data-round-phase]")).to_have_text("Überarbeitung")
    expect(box).not_to_be_editable()
    reads_clean(moderator, expert)

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
    reads_clean(moderator, expert)
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


LAYOUT_ROOM = "/raeume/vielfalt-kultur-religion/"
PHONE = {"width": 375, "height": 740}


def page_top(page: Page, selector: str) -> float:
    """Where an element starts, in CSS pixels from the top of the page."""
    return page.locator(selector).evaluate(
        "node => node.getBoundingClientRect().top + window.scrollY"
    )


def test_on_a_phone_the_focused_goal_and_the_comment_box_come_first_in_every_phase(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), LAYOUT_ROOM)
    moderator.get_by_role("button", name="Runde eröffnen").click()
    expect(moderator.locator("[data-round-phase]")).to_have_text("Diskussion")
    moderator.locator(".round-agenda button").first.click()
    expect(moderator.locator("#round-countdown")).to_be_visible()
    moderator.get_by_role("button", name="Alle auf dieses Ziel holen").click()
    expect(moderator.get_by_role("button", name="Fokus aufheben")).to_be_visible()

    expert = open_room(
        signed_in(browser, server, "expert2", viewport=PHONE, is_mobile=True, has_touch=True),
        LAYOUT_ROOM,
    )
    expect(expert.locator("#goal-meta")).to_contain_text("Im Fokus der Moderation")
    for phase in ("Diskussion", "Auswertung", "Überarbeitung"):
        if phase != "Diskussion":
            switch_phase(moderator, phase)
        expect(expert.locator("[data-round-phase]")).to_have_text(phase)
        # The round's state is a compact bar above the goal, its countdown included.
        assert page_top(expert, "#round-bar") < page_top(expert, "#goal-title")
        if phase == "Diskussion":
            expect(expert.locator("#round-bar #round-countdown")).to_be_visible()
        goal_top = page_top(expert, "#goal-title")
        box_top = page_top(expert, "#composer-body")
        assert goal_top < PHONE["height"], f"{phase}: the goal title starts at {goal_top}px"
        assert box_top < 2 * PHONE["height"], f"{phase}: the comment box starts at {box_top}px"
        # The round's workspace follows the comments.
        assert page_top(expert, "#room-round") > box_top
        reads_clean(expert)
        assert_accessible(expert)
        if phase == "Diskussion":
            # The rating scale: large targets, reachable by keyboard, with a visible focus.
            expert.get_by_role("link", name="Jetzt bewerten").click()
            option = expert.locator(".round-rating__option span").first
            box = option.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44, box
            expert.locator(".round-rating__option input").first.focus()
            expert.keyboard.press("ArrowRight")
            focused = expert.locator(".round-rating__option input:focus")
            expect(focused).to_be_checked()
            ring = focused.evaluate(
                "node => getComputedStyle(node.nextElementSibling).outlineStyle"
            )
            assert ring == "solid", ring
            assert_accessible(expert)
    switch_phase(moderator, "Abgeschlossen")
    expect(expert.locator("#round-title")).to_have_text("Freie Diskussion")
    moderator.context.close()
    expert.context.close()


def test_an_expert_sees_the_decision_on_their_comment_without_reloading(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), LAYOUT_ROOM)
    expert = open_room(signed_in(browser, server, "expert3"), LAYOUT_ROOM)
    moderator.get_by_role("button", name="Runde eröffnen").click()
    expect(expert.locator("[data-round-phase]")).to_have_text("Diskussion")

    body = "Bitte auch die kleinen Gemeinden einladen."
    expert.get_by_label("Kommentar (Markdown)").fill(body)
    expert.get_by_role("button", name="Senden").click()
    mine = expert.locator(".comment", has_text=body)
    expect(mine).to_be_visible()
    comment_id = mine.get_attribute("id")
    assert comment_id and comment_id.startswith("kommentar-")

    switch_phase(moderator, "Auswertung")
    item = moderator.locator(f'[data-feedback="comment-{comment_id.removeprefix("kommentar-")}"]')
    item.get_by_label("Entscheidung").select_option("partially_accepted")
    item.get_by_label("Antwort").fill("Wir nehmen die Gemeinden in die Liste auf.")
    item.get_by_role("button", name="Speichern").click()

    # The expert's own comment card shows the decision live, labelled for everyone.
    decision = expert.locator(f"#{comment_id} .comment__decision")
    expect(decision).to_contain_text("Entscheidung: teilweise angenommen")
    expect(decision).to_contain_text("Wir nehmen die Gemeinden in die Liste auf.")
    reads_clean(expert)
    assert_accessible(expert)

    # It stays on the card when the round moves on and closes.
    switch_phase(moderator, "Überarbeitung")
    switch_phase(moderator, "Abgeschlossen")
    expect(expert.locator("#round-title")).to_have_text("Freie Diskussion")
    expect(decision).to_contain_text("Entscheidung: teilweise angenommen")
    moderator.context.close()
    expert.context.close()


def test_a_vote_opened_and_your_turn_to_speak_are_announced_with_a_way_there(
    browser: Browser, server: Server
) -> None:
    moderator = open_room(signed_in(browser, server, "moderator"), LAYOUT_ROOM)
    expert = open_room(
        signed_in(browser, server, "expert1", viewport=PHONE, is_mobile=True, has_touch=True),
        LAYOUT_ROOM,
    )
    notice = expert.locator("#room-notice-text")
    expect(notice).to_have_attribute("aria-live", "polite")
    expect(notice).to_have_text("")

    opener = moderator.locator("#room-votes-open")
    opener.get_by_role("checkbox").first.check()
    opener.get_by_role("button", name="Abstimmung eröffnen").click()
    title = moderator.locator(".vote-panel__motion h3").first
    expect(title).to_be_visible()
    goal = re.sub(r"^Abstimmung über „(.*)“$", r"\1", title.inner_text())

    # Every member hears it (live region) and sees it, with a way to the ballot.
    expect(notice).to_have_text(f"Abstimmung eröffnet: „{goal}“")
    expect(expert.locator("#room-notice")).to_be_visible()
    reads_clean(expert)
    assert_accessible(expert)
    expert.get_by_role("button", name="Zur Abstimmung").click()
    ballot = expert.locator(".vote-panel__motion h3").first
    expect(ballot).to_be_focused()
    expect(ballot).to_be_in_viewport()
    expect(expert.locator("#room-notice")).to_have_attribute("data-shown", "false")

    # The speakers' queue gives the expert the floor: "Sie haben das Wort".
    expert.get_by_role("button", name="Hand heben").click()
    expect(moderator.locator("#hand-queue")).to_contain_text("Ayşe Yılmaz")
    moderator.get_by_role("button", name="Nächste Wortmeldung").click()
    expect(notice).to_have_text("Sie haben das Wort")
    expect(expert.locator("#room-notice")).to_be_visible()
    expert.get_by_role("button", name="Wortbeitrag beenden").click()
    moderator.context.close()
    expert.context.close()


# After a rejected vote the goal is "revised": the room had no goal in discussion and the
# round form listed none (a dead end). Seeded in its own field (tests/browser/test_drafter.py).
REJECTED = """
services.goal_transition(actor=people["moderator"], goal=goal, to_status="in_vote")
services.goal_transition(actor=people["moderator"], goal=goal, to_status="revised")
idea_goal = services.goal_create(actor=None, action_field=field, title="Neu aus einer Idee",
    text="Entwurf.")
"""


def test_after_a_rejected_vote_the_moderator_puts_the_goal_on_a_new_rounds_agenda(
    browser: Browser, server: Server
) -> None:
    from tests.browser.test_drafter import seed

    seed(server, "abgelehnt-test", "Abgelehnt", "Barrierefreie Ämter", REJECTED)
    moderator = open_room(signed_in(browser, server, "moderator"), "/raeume/abgelehnt-test/")
    expert = open_room(signed_in(browser, server, "expert1"), "/raeume/abgelehnt-test/")
    expect(moderator.locator("#goal-empty")).to_be_visible()

    # The next step is visible: each goal waiting for a round, with its button; the round
    # form lists the revised goal and the draft too.
    steps = moderator.locator("#round-sec-next")
    expect(steps.locator("li").filter(has_text="Barrierefreie Ämter")).to_contain_text(
        "Überarbeitet"
    )
    expect(steps.locator("li").filter(has_text="Neu aus einer Idee")).to_contain_text("Entwurf")
    expect(moderator.get_by_role("checkbox", name="Neu aus einer Idee")).not_to_be_checked()
    reads_clean(moderator)
    assert_accessible(moderator)

    steps.locator("li").filter(has_text="Barrierefreie Ämter").get_by_role(
        "button", name="Neue Runde mit diesem Ziel eröffnen"
    ).click()
    expect(moderator.get_by_role("checkbox", name="Barrierefreie Ämter")).to_be_checked()
    expect(moderator.get_by_role("checkbox", name="Neu aus einer Idee")).not_to_be_checked()
    moderator.get_by_role("button", name="Runde eröffnen").click()

    expect(expert.locator("#round-title")).to_contain_text("Runde 1")
    expect(expert.locator(".round-agenda")).to_contain_text("Barrierefreie Ämter")
    expect(expert.locator(".round-agenda")).not_to_contain_text("Neu aus einer Idee")
    expect(expert.locator("#goal-empty")).to_be_hidden()
    expect(expert.get_by_label("Kommentar (Markdown)")).to_be_editable()
    reads_clean(moderator, expert)
    moderator.context.close()
    expert.context.close()
