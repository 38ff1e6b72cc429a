"""A questionnaire in a real browser: staff build it with the builder's forms and invite an
address; the invitee answers on a phone (375×740) through the personal link, without an
account: a draft, a visit later, the submission, the receipt. Every page axe-clean.

The pages need no JavaScript; the test drives them as a person would, with clicks."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _build_questionnaire(page: Page) -> str:
    """As staff: a questionnaire with a single-choice, a scale and a free-text question, open,
    one invitation. Returns the personal link."""
    page.goto("/beteiligung/fragebogen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fragebögen")
    page.get_by_label(re.compile(r"^Titel")).fill("Sprachkurse im Alltag")
    page.get_by_label("Einleitung").fill("Ihre Erfahrungen helfen dem **Expertenkreis**.")
    page.get_by_label("Handlungsfeld").select_option(label="Bildung & Sprache")
    page.get_by_label("persönliche Einladungslinks, ohne Konto").check()
    page.get_by_role("button", name="Anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprachkurse im Alltag")
    assert_accessible(page)

    for text, kind, choices in (
        ("Haben Sie einen Sprachkurs besucht?", "Einfachauswahl", "Ja\nNein"),
        ("Wie hilfreich war er?", "Skala 1–5", ""),
        ("Was sollte sich ändern?", "Freitext", ""),
    ):
        page.get_by_role("link", name="Frage hinzufügen").click()
        page.get_by_label(re.compile(r"^Frage\b")).fill(text)
        page.get_by_label(kind).check()
        if choices:
            page.get_by_label("Antwortmöglichkeiten").fill(choices)
        if kind == "Freitext":
            page.get_by_label("Pflichtfrage").uncheck()
        page.get_by_role("button", name="Frage speichern").click()
        expect(page.get_by_role("heading", name=re.compile(re.escape(text)))).to_be_visible()

    page.get_by_role("button", name="Fragebogen öffnen").click()
    expect(page.get_by_text("Der Fragebogen nimmt Antworten an.")).to_be_visible()
    page.get_by_role("link", name="Einladungen").click()
    page.get_by_label("E-Mail-Adressen").fill("mara.muster@example.org")
    page.get_by_role("button", name="Einladungslinks erzeugen").click()
    link = page.locator("tbody tr").filter(has_text="mara.muster@example.org").locator("td").nth(1)
    expect(link).to_contain_text("/beteiligung/einladung/")
    assert_accessible(page)
    return link.inner_text().strip()


def test_an_invitee_answers_a_questionnaire_on_a_phone(
    user_page: Callable[..., Page], new_context: Callable[..., BrowserContext]
) -> None:
    staff = user_page("admin")
    url = _build_questionnaire(staff)

    phone = new_context(**PHONE).new_page()
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sprachkurse im Alltag")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    assert_accessible(phone)

    question = phone.get_by_role("group", name=re.compile("Haben Sie einen Sprachkurs"))
    question.get_by_role("radio", name="Ja", exact=True).check()
    phone.get_by_label(re.compile("Was sollte sich ändern")).fill("Mehr Kurse am Abend.")
    phone.get_by_role("button", name="Entwurf speichern").click()
    expect(phone.get_by_text("Ihr Entwurf ist gespeichert.")).to_be_visible()

    # later, on the same link: the draft is there; submitting without the scale is refused
    phone.goto(url)
    expect(phone.get_by_label(re.compile("Was sollte sich ändern"))).to_have_value(
        "Mehr Kurse am Abend."
    )
    phone.get_by_role("button", name="Abschicken").click()
    expect(phone.get_by_role("alert")).to_contain_text("Bitte prüfen Sie")
    assert_accessible(phone)

    scale = phone.get_by_role("group", name=re.compile("Wie hilfreich"))
    scale.get_by_role("radio", name="4", exact=True).check()
    phone.get_by_role("button", name="Abschicken").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Ihre Antworten sind eingegangen")
    receipt = phone.locator("#receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    assert_accessible(phone)

    # the link works once: it now shows the receipt, not the form
    phone.goto(url)
    expect(phone.locator("#receipt")).to_have_text(receipt)

    # the evaluation counts it: chart and table, the free text with its receipt number
    staff.get_by_role("link", name="Sprachkurse im Alltag").click()
    staff.get_by_role("link", name="Auswertung").click()
    expect(staff.locator("#submitted-count")).to_have_text("1")
    expect(staff.get_by_role("row", name=re.compile(r"^Ja 1 100,0"))).to_be_visible()
    expect(staff.get_by_text("Mehr Kurse am Abend.")).to_be_visible()
    assert_accessible(staff)


@pytest.mark.parametrize(
    "path",
    [
        "/beteiligung/",
        "/beteiligung/ideen/",
        "/beteiligung/ideen/neu/",
        "/beteiligung/fragen-und-meinungen/",
        "/beteiligung/registrieren/",
    ],
)
def test_public_participation_pages_are_accessible_on_a_phone(
    new_context: Callable[..., BrowserContext], path: str
) -> None:
    page = new_context(**PHONE).new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(page)


def test_the_moderator_closes_ideas_and_the_form_says_so(
    page: Page, user_page: Callable[..., Page]
) -> None:
    # A fresh demo takes ideas (its deadline lies eight weeks after loading); the moderation
    # closes them from its page, and the idea form says so to a visitor.
    moderator = user_page("moderator")
    moderator.goto("/beteiligung/moderation/")
    deadline = moderator.get_by_label("Ideen einreichen bis")
    reopen = deadline.input_value()
    try:
        deadline.fill("2020-08-31T23:59")
        moderator.get_by_role("button", name="Frist speichern").click()
        expect(moderator.get_by_role("status")).to_contain_text("Die Frist für Ideen ist jetzt")
        page.goto("/beteiligung/ideen/neu/")
        expect(page.get_by_role("alert")).to_contain_text("Einsendungen sind geschlossen")
        expect(page.get_by_role("link", name="Integrationskonzept@wiesbaden.de")).to_be_visible()
    finally:
        moderator.goto("/beteiligung/moderation/")
        moderator.get_by_label("Ideen einreichen bis").fill(reopen)
        moderator.get_by_role("button", name="Frist speichern").click()
    page.goto("/beteiligung/ideen/neu/")
    expect(page.get_by_text("Einsendungen sind geschlossen")).to_have_count(0)


@pytest.mark.parametrize("path", ["/beteiligung/moderation/", "/beteiligung/fragebogen/"])
def test_staff_pages_are_accessible(user_page: Callable[..., Page], path: str) -> None:
    page = user_page("admin")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_a_signed_in_person_asks_a_question_on_the_concept_page(
    user_page: Callable[..., Page],
) -> None:
    page = user_page("expert2")
    page.goto("/")
    page.get_by_text("Eine Frage oder Meinung zum Konzept schreiben").click()
    assert_accessible(page)
    page.get_by_role("radio", name="eine Frage").check()
    page.get_by_label(re.compile(r"^Text")).fill("Wer entscheidet am Ende über das Konzept?")
    page.get_by_role("button", name="Absenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Beiträge")
    expect(page.get_by_text("wartet auf Freigabe")).to_be_visible()
