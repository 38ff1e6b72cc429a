"""The public side in Arabic and Turkish on a 375×740 phone, in a real browser.

Arabic: chosen with the language switch, the concept page and the ideas form read right to
left (``dir="rtl"``, text aligned to the right edge), nothing scrolls sideways, axe-clean.
Turkish and Arabic: a questionnaire that staff translated with the translation page is
answered in each language; the evaluation counts the answers together and per language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import assert_accessible, assert_no_junk_text, log_in

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def switch_language(page: Page, code: str) -> None:
    """With the switch in the page's header, as a person does (it remembers the choice)."""
    page.locator("#lang-switch-language").select_option(code)
    page.locator(".lang-switch button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"


def assert_reads_right_to_left(page: Page, heading: str = "main h1") -> None:
    """The document runs right to left and a heading of the interface ends at its box's right
    edge, where an Arabic reader starts. (German content, such as the concept's title, keeps
    ``dir="ltr"`` and is not asked.)"""
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    layout = page.locator(heading).first.evaluate(
        """(h1) => {
          const range = document.createRange();
          range.selectNodeContents(h1);
          const text = range.getClientRects()[0];
          const box = h1.getBoundingClientRect();
          const style = getComputedStyle(h1);
          return {
            direction: style.direction,
            align: style.textAlign,
            gapRight: box.right - parseFloat(style.paddingRight) - text.right,
            gapLeft: text.left - box.left - parseFloat(style.paddingLeft),
          };
        }"""
    )
    assert layout["direction"] == "rtl", layout
    assert layout["align"] in ("start", "right"), layout
    assert abs(layout["gapRight"]) <= 2, layout  # flush with the right edge
    assert_fits_the_phone(page)


def test_the_concept_page_and_the_ideas_form_read_right_to_left_in_arabic(
    new_context: Callable[..., BrowserContext],
) -> None:
    phone = new_context(**PHONE).new_page()
    phone.goto("/")
    switch_language(phone, "ar")
    expect(phone.get_by_role("heading", name="مجالات العمل والأهداف")).to_be_visible()
    expect(phone.get_by_role("link", name="انتقل إلى المحتوى")).to_be_attached()
    assert_reads_right_to_left(phone, "main h2")
    # the concept's own German text keeps its direction inside the Arabic page
    expect(phone.locator("#concept-title")).to_have_attribute("dir", "ltr")
    assert_accessible(phone)
    assert_no_junk_text(phone)

    # the choice is remembered: the next page speaks Arabic without asking again
    phone.goto("/beteiligung/ideen/neu/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("قدّم فكرة")
    expect(phone.get_by_text("لتقديم فكرة، يرجى تسجيل الدخول أو إنشاء حساب.")).to_be_visible()
    assert_reads_right_to_left(phone)
    assert_accessible(phone)

    log_in(phone, "expert3")
    phone.goto("/beteiligung/ideen/neu/")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    assert_reads_right_to_left(phone)
    assert_accessible(phone)
    phone.get_by_label("عنوان فكرتك").fill("دروس لغة للأمهات")
    body = phone.get_by_role("textbox", name=re.compile(r"^فكرتك"))
    body.fill("دروس صباحية مع رعاية للأطفال.")
    assert body.evaluate("e => getComputedStyle(e).direction") == "rtl"
    phone.get_by_role("button", name="قدّم فكرة").click()
    expect(phone.get_by_role("status")).to_contain_text("شكرًا! وصلتنا فكرتك «دروس لغة للأمهات»")
    assert_fits_the_phone(phone)
    assert_accessible(phone)


def _build_public_questionnaire(staff: Page, title: str) -> str:
    """As staff, in German: a public questionnaire with a single-choice and a scale question,
    open. Returns its address."""
    staff.goto("/beteiligung/fragebogen/")
    staff.get_by_label(re.compile(r"^Titel")).fill(title)
    staff.get_by_label("Handlungsfeld").select_option(label="Bildung & Sprache")
    staff.get_by_label("öffentlich: ein Fragebogen je Konto").check()
    staff.get_by_role("button", name="Anlegen").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    for text, kind, choices in (
        ("Haben Sie einen Sprachkurs besucht?", "Einfachauswahl", "Ja\nNein"),
        ("Wie hilfreich war er?", "Skala 1–5", ""),
    ):
        staff.get_by_role("link", name="Frage hinzufügen").click()
        staff.get_by_label(re.compile(r"^Frage\b")).fill(text)
        staff.get_by_label(kind).check()
        if choices:
            staff.get_by_label("Antwortmöglichkeiten").fill(choices)
        staff.get_by_role("button", name="Frage speichern").click()
        expect(staff.get_by_role("heading", name=re.compile(re.escape(text)))).to_be_visible()
    staff.get_by_role("button", name="Fragebogen öffnen").click()
    expect(staff.get_by_text("Der Fragebogen nimmt Antworten an.")).to_be_visible()
    return staff.url.split("#")[0] + "teilnehmen/"


def _translate(staff: Page, language: str, texts: dict[str, str]) -> None:
    """On the builder's translation page for ``language`` (the link names the language)."""
    staff.get_by_role("link", name=texts["language"], exact=True).click()
    staff.get_by_label("Titel", exact=True).fill(texts["title"])
    first = staff.get_by_role("group", name="Frage 1")
    first.get_by_label("Frage", exact=True).fill(texts["q1"])
    first.get_by_label("Antwortmöglichkeit „Ja“").fill(texts["yes"])
    first.get_by_label("Antwortmöglichkeit „Nein“").fill(texts["no"])
    staff.get_by_role("group", name="Frage 2").get_by_label("Frage", exact=True).fill(texts["q2"])
    assert_accessible(staff)
    staff.get_by_role("button", name="Übersetzung speichern").click()
    expect(staff.get_by_role("status")).to_contain_text("ist gespeichert")
    expect(staff.locator("html")).to_have_attribute("lang", "de")
    staff.go_back()


TURKISH = {
    "language": "Türkçe",
    "title": "Günlük hayatta dil kursları",
    "q1": "Bir dil kursuna katıldınız mı?",
    "yes": "Evet",
    "no": "Hayır",
    "q2": "Kurs ne kadar yardımcı oldu?",
}
ARABIC = {
    "language": "العربية",
    "title": "دورات اللغة في الحياة اليومية",
    "q1": "هل حضرت دورة لغة؟",
    "yes": "نعم",
    "no": "لا",
    "q2": "إلى أي مدى كانت الدورة مفيدة؟",
}


def _answer(phone: Page, url: str, language: str, texts: dict[str, str], submit: str) -> None:
    phone.goto("/")
    switch_language(phone, language)
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(texts["title"])
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("group", name=re.compile(re.escape(texts["q1"]))).get_by_role(
        "radio", name=texts["yes"], exact=True
    ).check()
    phone.get_by_role("group", name=re.compile(re.escape(texts["q2"]))).get_by_role(
        "radio", name=re.compile(r"^4$")
    ).check()
    phone.get_by_role("button", name=submit, exact=True).click()
    expect(phone.locator("#receipt")).to_have_text(re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}"))
    assert_accessible(phone)


def test_a_questionnaire_is_answered_in_turkish_and_arabic_and_evaluated_as_one(
    user_page: Callable[..., Page],
) -> None:
    staff = user_page("admin")
    url = _build_public_questionnaire(staff, "Sprachkurse im Alltag (mehrsprachig)")
    _translate(staff, "tr", TURKISH)
    _translate(staff, "ar", ARABIC)

    turkish = user_page("expert1", **PHONE)
    _answer(turkish, url, "tr", TURKISH, "Gönder")
    expect(turkish.get_by_role("heading", level=1)).to_contain_text("yanıtlarınız bize ulaştı")

    arabic = user_page("expert3", **PHONE)
    _answer(arabic, url, "ar", ARABIC, "إرسال")
    assert_reads_right_to_left(arabic)

    # the evaluation, in German, counts both answers under the German option, and says in
    # which languages they came
    staff.goto(url.replace("teilnehmen/", "auswertung/"))
    expect(staff.locator("#submitted-count")).to_have_text("2")
    expect(staff.get_by_role("row", name=re.compile(r"^Ja 2 100,0"))).to_be_visible()
    expect(staff.locator("#languages-count")).to_contain_text("Türkçe 1")
    expect(staff.locator("#languages-count")).to_contain_text("العربية 1")
    assert_accessible(staff)
