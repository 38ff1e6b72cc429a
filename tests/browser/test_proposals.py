"""Change proposals in a real browser (issue 14): an expert on a phone (375×740) taps a
sentence of the goal's text, proposes new wording; the moderator sees it live as a word diff
and puts it to a quick show of hands; the working group's drafter accepts it with changes
and, in revision, applies it to the text and publishes; the compare page traces the change.

The action field is seeded through ``manage.py shell`` (``tests.browser.test_drafter.seed``),
so no other browser test's room state matters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server
from tests.browser.support import assert_accessible, assert_no_junk_text, log_in
from tests.browser.test_drafter import open_room, seed, signed_in

pytestmark = pytest.mark.browser

TEXT = "Alle Kitas bieten Sprachförderung an. Die Stadt zahlt die Fortbildung."
IN_DISCUSSION = f"""
goal_version = services.goal_version_create(actor=None, goal=goal, text={TEXT!r})
rounds.round_open(actor=people["moderator"], circle=room,
    agenda=[{{"goal": goal.pk, "time_box": None}}])
"""
SENTENCE = "Die Stadt zahlt die Fortbildung."


def tap_on_text(page: Page, paragraph: str, words: str) -> None:
    """Tap the screen where ``words`` stand in the paragraph, as a finger would."""
    box = page.evaluate(
        """([selector, words]) => {
          const node = document.querySelector(selector);
          const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
          for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            const at = text.data.indexOf(words);
            if (at === -1) continue;
            const range = document.createRange();
            range.setStart(text, at + 2);
            range.setEnd(text, at + 5);
            range.startContainer.parentElement.scrollIntoView({block: "center"});
            const r = range.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
          }
          return null;
        }""",
        [f"{paragraph} .room-para__text", words],
    )
    assert box is not None, f"{words!r} is not in {paragraph}"
    page.touchscreen.tap(box["x"], box["y"])


def phase(moderator: Page, label: str) -> None:
    moderator.get_by_role("button", name=f"Weiter zur Phase „{label}“").click()
    moderator.get_by_role("dialog").get_by_role("button", name="Phase wechseln").click()


def test_an_expert_proposes_on_a_phone_and_the_drafter_applies_it(
    browser: Browser, server: Server
) -> None:
    seed(server, "kita-vorschlag", "Kita", "Sprache in der Kita", IN_DISCUSSION)
    path = "/raeume/kita-vorschlag/"
    phone_context = browser.new_context(
        base_url=server.url,
        locale="de-DE",
        viewport={"width": 375, "height": 740},
        has_touch=True,
        is_mobile=True,
    )
    phone = phone_context.new_page()
    log_in(phone, "expert1")
    open_room(phone, path)
    moderator = open_room(signed_in(browser, server, "moderator"), path)
    drafter = open_room(signed_in(browser, server, "drafter"), path)

    # On the phone: tap the second sentence → "Änderung vorschlagen".
    tap_on_text(phone, "#absatz-1", "Stadt zahlt")
    bar = phone.locator("#proposal-bar")
    expect(bar).to_contain_text(SENTENCE)
    bar.get_by_role("button", name="Änderung vorschlagen").click()
    form = phone.locator("#proposal-form")
    expect(form.get_by_label("Neue Formulierung (leer: Stelle streichen)")).to_have_value(SENTENCE)
    assert_accessible(phone)
    form.get_by_label("Neue Formulierung (leer: Stelle streichen)").fill(
        "Die Stadt zahlt die Fortbildung und die Vertretung."
    )
    form.get_by_label("Begründung").fill("Sonst fehlt das Personal in der Zeit.")
    form.get_by_role("button", name="Vorschlag einreichen").click()
    expect(phone.locator("#room-announcer")).to_contain_text("ist eingereicht")
    # No sideways scrolling on the phone.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375

    # The moderator sees it live, as a word diff, announced to a screen reader.
    card = moderator.locator(".proposal").filter(has_text="Sonst fehlt das Personal")
    expect(card.locator("ins")).to_contain_text("und die Vertretung")
    expect(moderator.locator("#room-announcer")).to_contain_text("Neuer Änderungsvorschlag")

    # A quick show of hands, counted live, closed by the moderator.
    card.get_by_role("button", name="Abstimmen lassen").click()
    phone_card = phone.locator(".proposal").filter(has_text="Sonst fehlt das Personal")
    expect(phone_card).to_contain_text("offen, nicht geheim")
    phone_card.get_by_role("button", name="Ja", exact=True).click()
    expect(card.locator(".proposal__tally")).to_have_text("Ja 1 · Nein 0 · Enthaltung 0")
    card.get_by_role("button", name="Abstimmung beenden").click()
    expect(phone_card).to_contain_text("Mehrheit dafür")

    # Evaluation: the drafter accepts it with changes.
    phase(moderator, "Auswertung")
    decided = drafter.locator(".proposal").filter(has_text="Sonst fehlt das Personal")
    decided.get_by_label("Entscheidung").select_option("partially_accepted")
    decided.get_by_label("Geänderte Formulierung (bei „angenommen mit Änderungen“)").fill(
        "Die Stadt zahlt die Fortbildung und eine Vertretung."
    )
    decided.get_by_label("Antwort").fill("Eine Vertretung genügt.")
    decided.get_by_role("button", name="Entscheiden").click()
    expect(phone_card).to_contain_text("angenommen mit Änderungen")

    # Revision: the drafter applies it, reviews the text and publishes.
    phase(moderator, "Überarbeitung")
    revision = drafter.locator(".round-revision__form").filter(has_text="Sprache in der Kita")
    revision.get_by_role("button", name="Angenommene Vorschläge in den Text übernehmen").click()
    expected = (
        "Alle Kitas bieten Sprachförderung an. Die Stadt zahlt die Fortbildung und eine Vertretung."
    )
    text = revision.get_by_label("Text der neuen Fassung (Markdown, Absätze durch Leerzeilen)")
    expect(text).to_have_value(expected)
    assert_no_junk_text(drafter)
    assert_accessible(drafter)
    revision.get_by_role("button", name="Fassung veröffentlichen").click()
    expect(phone.locator("#absatz-1")).to_contain_text("und eine Vertretung")
    expect(phone_card).to_contain_text("übernommen in Fassung 3")

    # The compare page says which change came from which proposal.
    href = phone.locator(".room-goal__link").get_attribute("href")
    assert href is not None
    goal_id = re.search(r"/ziele/(\d+)/", href)
    assert goal_id is not None
    moderator.goto(f"/ziele/{goal_id.group(1)}/vergleich/")
    expect(moderator.locator(".diff").first).to_contain_text("eine Vertretung")
    link = moderator.locator(".diff-source a").first
    expect(link).to_have_text(re.compile(r"Vorschlag \d+"))
    expect(moderator.locator(".proposal-trace")).to_contain_text("Angenommen mit Änderungen:")
    assert_accessible(moderator)
    for page in (phone, moderator, drafter):
        page.context.close()


WITH_A_PROPOSAL = (
    IN_DISCUSSION
    + f"""
from deliberation import proposals
proposals.proposal_create(actor=people["expert2"], circle=room, goal_id=goal.pk, paragraph=1,
    start=0, end=37, quote={TEXT[:37]!r}, replacement="Alle Kitas fördern Sprache.",
    reason="Kürzer.")
"""
)


def test_by_keyboard_alone_an_overlapping_proposal_is_flagged(
    browser: Browser, server: Server
) -> None:
    seed(server, "kita-tastatur", "Kita2", "Sprache in der Kita", WITH_A_PROPOSAL)
    page = open_room(signed_in(browser, server, "expert1"), "/raeume/kita-tastatur/")
    expect(page.locator(".proposal")).to_have_count(1)
    page.locator("#proposal-open").focus()
    page.keyboard.press("Enter")
    replacement = page.get_by_label("Neue Formulierung (leer: Stelle streichen)")
    expect(replacement).to_be_focused()
    # The passage by keyboard: the last entry of the list is the whole paragraph.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Stelle", exact=True)).to_be_focused()
    page.keyboard.press("End")
    expect(replacement).to_have_value(TEXT)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Jede Kita fördert Sprache; die Stadt zahlt.")
    page.keyboard.press("Tab")
    page.keyboard.type("Ein Satz reicht.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    cards = page.locator(".proposal")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator(".proposal__conflict")).to_contain_text(
        "überschneidet sich mit Vorschlag"
    )
    expect(cards.nth(1).locator(".proposal__conflict")).to_contain_text(
        "überschneidet sich mit Vorschlag"
    )
    assert_no_junk_text(page)
    assert_accessible(page)
    page.context.close()
