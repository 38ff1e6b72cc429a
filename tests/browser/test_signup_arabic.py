"""Signing up and answering in Arabic on a 375×740 phone, in a real browser (issue 16).

A visitor switches the language to Arabic, signs up with the participation form, confirms the
account with the link in the mail and answers a public questionnaire that staff translated:
every page reads right to left (``dir="rtl"``), nothing scrolls sideways, axe-clean. Another
visitor does the same in Turkish; the evaluation, as its manager sees it, counts both.

Mails are read from the file backend of this module's own server (``mail_server``); the
questionnaire is built and translated through the builder's pages (``test_languages``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.mail_server import MailServer, mail_server, open_page
from tests.browser.support import assert_accessible, log_in
from tests.browser.test_languages import (
    ARABIC,
    PHONE,
    TURKISH,
    _answer,
    _build_public_questionnaire,
    _translate,
    assert_fits_the_phone,
    assert_reads_right_to_left,
    switch_language,
)

pytestmark = pytest.mark.browser
__all__ = ["mail_server", "open_page"]  # the module's server and its pages

PASSWORD = "Sprachkurs-am-Abend-7"


def _sign_up(phone: Page, server: MailServer, language: str, name: str, address: str) -> None:
    """With the participation sign-up form in ``language``, then the link in the mail."""
    phone.goto("/")
    switch_language(phone, language)
    phone.goto("/beteiligung/registrieren/")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    phone.locator("#id_name").fill(name)
    phone.locator("#id_email").fill(address)
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("#id_password_again").fill(PASSWORD)
    if language == "ar":
        assert_reads_right_to_left(phone)
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/beteiligung/registrieren/gesendet/$"))
    assert_fits_the_phone(phone)
    assert_accessible(phone)

    mail = server.wait_for_mail(address, lambda m: "/beteiligung/bestaetigen/" in m.body)
    phone.goto(mail.link("/beteiligung/bestaetigen/"))
    expect(phone.locator("html")).to_have_attribute("lang", language)
    if language == "ar":
        assert_reads_right_to_left(phone)
    assert_accessible(phone)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator(".site-tools__user")).to_be_visible()  # confirmed and signed in


def test_visitors_sign_up_in_arabic_and_turkish_and_both_answers_are_counted(
    open_page: Callable[..., Page], mail_server: MailServer
) -> None:
    staff = open_page()
    log_in(staff, "admin")
    url = _build_public_questionnaire(staff, "Sprachkurse im Alltag (Anmeldung)")
    _translate(staff, "tr", TURKISH)
    _translate(staff, "ar", ARABIC)
    path = url.removeprefix(mail_server.url)

    arabic = open_page(**PHONE)
    _sign_up(arabic, mail_server, "ar", "مريم", "maryam@example.org")
    _answer(arabic, path, "ar", ARABIC, "إرسال")
    assert_reads_right_to_left(arabic)

    turkish = open_page(**PHONE)
    _sign_up(turkish, mail_server, "tr", "Ayşe", "ayse@example.org")
    _answer(turkish, path, "tr", TURKISH, "Gönder")
    expect(turkish.get_by_role("heading", level=1)).to_contain_text("yanıtlarınız bize ulaştı")

    # the evaluation, as the questionnaire's manager sees it, counts both
    staff.goto(path.replace("teilnehmen/", "auswertung/"))
    expect(staff.locator("#submitted-count")).to_have_text("2")
    expect(staff.get_by_role("row", name=re.compile(r"^Ja 2 100,0"))).to_be_visible()
    expect(staff.locator("#languages-count")).to_contain_text("Türkçe 1")
    expect(staff.locator("#languages-count")).to_contain_text("العربية 1")
    assert_accessible(staff)
