"""An expert's whole account, in a real browser, with the mails the product sends (issue 15).

The moderator invites an address from the circle's members page; the expert follows the link
in the mail and sets a password, writes a comment in the room, later resets the password with
"Passwort vergessen" and the link in that mail, gets the "vote opened" mail when the moderator
opens a vote on a goal of the circle, downloads their data and deletes the account. The room's
history keeps the comment, shown as "ehemaliges Mitglied".

Mails are read from the file backend of this module's own server (``mail_server``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.mail_server import Mail, MailServer, mail_server, open_page
from tests.browser.support import assert_accessible, log_in

pytestmark = pytest.mark.browser
__all__ = ["mail_server", "open_page"]  # the module's server and its pages

CIRCLE = "sport"
EXPERT = "lena.neu@example.org"
FIRST_PASSWORD = "Fahrrad-Sommer-2026"
NEW_PASSWORD = "Kanu-Herbst-2027"
COMMENT = "Mehr Sportangebote am Abend, bitte auch für Mütter."


def test_an_invited_expert_joins_resets_the_password_is_notified_and_leaves(
    open_page: Callable[..., Page], mail_server: MailServer
) -> None:
    server = mail_server
    moderator = open_page()
    log_in(moderator, "moderator")

    # the moderator invites the address from the circle's members page
    moderator.goto(f"/raeume/{CIRCLE}/mitglieder/")
    moderator.get_by_label("E-Mail-Adresse").fill(EXPERT)
    moderator.get_by_role("button", name="Einladung schicken").click()
    expect(moderator.locator(".messages")).to_contain_text(f"Die Einladung an {EXPERT}")
    assert_accessible(moderator)

    # the expert follows the link in the mail and sets a password
    invitation = server.wait_for_mail(EXPERT, lambda m: "Einladung" in m.subject)
    expert = open_page()
    expert.goto(invitation.link("/einladung/"))
    expert.get_by_label("Ihr Name").fill("Lena Neu")
    expert.get_by_label("Passwort", exact=True).fill(FIRST_PASSWORD)
    expert.get_by_label("Passwort wiederholen").fill(FIRST_PASSWORD)
    assert_accessible(expert)
    expert.get_by_role("button", name="Konto anlegen und Einladung annehmen").click()
    expect(expert.locator(".messages")).to_contain_text("Willkommen im Kreis")

    # in the room, a comment of hers
    expect(expert.locator("body")).to_have_attribute("data-ws", "open")
    box = expert.get_by_label("Kommentar (Markdown)")
    box.fill(COMMENT)
    box.press("Control+Enter")
    expect(expert.locator(".comment__body", has_text=COMMENT)).to_have_count(1)

    # later, on another device, she has forgotten the password
    later = open_page()
    later.goto("/anmelden/")
    later.get_by_role("link", name="Passwort vergessen?").click()
    later.get_by_label("E-Mail-Adresse").fill(EXPERT)
    later.get_by_role("button", name="Link schicken").click()
    expect(later.get_by_role("heading", level=1)).to_be_visible()
    reset = server.wait_for_mail(EXPERT, lambda m: "/konto/passwort-neu/" in m.body)
    later.goto(reset.link("/konto/passwort-neu/"))
    later.locator("#id_new_password1").fill(NEW_PASSWORD)
    later.locator("#id_new_password2").fill(NEW_PASSWORD)
    assert_accessible(later)
    later.get_by_role("button", name="Passwort speichern").click()
    expect(later.get_by_role("link", name="Anmelden")).to_be_visible()
    log_in(later, EXPERT, NEW_PASSWORD)

    # the moderator opens a vote on a goal of the circle (the second: a goal in a vote leaves
    # the room's discussion, and her comment is on the first): the mail tells her
    moderator.goto(f"/raeume/{CIRCLE}/abstimmungen/neu/")
    moderator.locator("input[name=goals]").nth(1).check()
    moderator.get_by_role("radio", name="Konsent").check()
    moderator.get_by_role("button", name="Abstimmung eröffnen").click()
    expect(moderator).to_have_url(re.compile(r"/abstimmungen/\d+/$"))
    opened: Mail = server.wait_for_mail(EXPERT, lambda m: "Abstimmung eröffnet" in m.subject)
    assert opened.link("/abstimmungen/").startswith(server.url)

    # her data, from the account page
    later.goto("/konto/")
    with later.expect_download() as download:
        later.get_by_role("link", name="Meine Daten herunterladen").click()
    exported = download.value.path().read_text(encoding="utf-8")
    assert EXPERT in exported
    assert COMMENT in json.dumps(json.loads(exported), ensure_ascii=False)

    # she deletes the account
    later.get_by_role("link", name="Konto löschen").click()
    later.get_by_label("Ihr Passwort").fill(NEW_PASSWORD)
    later.get_by_label(re.compile("Ich verstehe")).check()
    assert_accessible(later)
    later.get_by_role("button", name="Konto endgültig löschen").click()
    expect(later.locator(".site-tools__user")).to_have_count(0)

    # the room's history keeps her comment, without her name
    moderator.goto(f"/raeume/{CIRCLE}/")
    expect(moderator.locator("body")).to_have_attribute("data-ws", "open")
    body = moderator.locator(".comment__body", has_text=COMMENT)
    comment = moderator.locator(".comment", has=body)
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("ehemaliges Mitglied")
    expect(comment).not_to_contain_text("Lena")

    # and the old password no longer signs anyone in
    again = open_page()
    again.goto("/anmelden/")
    again.locator("#id_username").fill(EXPERT)
    again.locator("#id_password").fill(NEW_PASSWORD)
    again.locator("main form button[type=submit]").click()
    expect(again.locator(".site-tools__user")).to_have_count(0)
