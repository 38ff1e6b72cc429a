"""The public pages in a real browser: content, accessibility (axe-core), phone, keyboard."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, FloatRect, Page, expect

from tests.browser.conftest import ROOT
from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

DEMO_FIELDS = [
    "Bildung & Sprache",
    "Arbeit",
    "Gesundheit",
    "Sport",
    "Vielfalt – Kultur – Religion",
]
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# KONSENS_SCREENSHOTS=1 refreshes the pictures the README shows.
SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("KONSENS_SCREENSHOTS") else None


def _screenshot(page: Page, name: str, *, clip: FloatRect | None = None) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True, clip=clip)


def _field_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".field-card__title a").all_inner_texts()]


def test_concept_page_shows_the_five_demo_action_fields(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Integrationskonzept 2021–2025")
    # Goals rejected by an earlier test may add a section after the five fields.
    assert _field_titles(page)[: len(DEMO_FIELDS)] == DEMO_FIELDS
    _screenshot(page, "concept-desktop.png")


def test_concept_page_has_no_serious_accessibility_violation(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)


def test_concept_page_is_loaded_with_its_stylesheet(page: Page) -> None:
    page.goto("/")
    href = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/css")
    # Applied, not only served: the skip link is moved out of sight until focused.
    assert page.locator(".skip-link").evaluate("el => getComputedStyle(el).position") == "absolute"


def test_concept_page_on_a_phone_fits_the_screen_and_is_accessible(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(**PHONE).new_page()
    page.goto("/")
    # Goals rejected by an earlier test may add a section after the five fields.
    assert _field_titles(page)[: len(DEMO_FIELDS)] == DEMO_FIELDS
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    # The first screen, and the action fields further down.
    _screenshot(page, "concept-phone.png", clip={"x": 0, "y": 0, "width": 375, "height": 740})
    fields = page.locator("#fields-title").bounding_box()
    if fields is not None:
        clip: FloatRect = {"x": 0, "y": fields["y"] - 24, "width": 375, "height": 740}
        _screenshot(page, "concept-phone-fields.png", clip=clip)


def test_tab_reaches_the_skip_link_first_and_it_leads_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next stop after the skip link shows where the focus is.
    page.keyboard.press("Tab")
    focused_outline = "() => getComputedStyle(document.activeElement).outlineStyle"
    assert page.evaluate(focused_outline) == "solid"


def test_action_field_page_is_accessible(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Arbeit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbeit")
    assert_accessible(page)


def test_goal_page_is_accessible(page: Page) -> None:
    page.goto("/handlungsfelder/bildung-sprache/")
    page.get_by_role("link", name="Frühe Sprachförderung in allen Kitas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Frühe Sprachförderung in allen Kitas"
    )
    expect(page.locator("#absatz-1")).to_be_visible()
    assert_accessible(page)


# (Not the 404 page: the server under test runs with DEBUG on and shows Django's own.)
@pytest.mark.parametrize("path", ["/raeume/", "/anmelden/"])
def test_other_public_pages_are_accessible(page: Page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def test_refused_login_is_announced_and_accessible(page: Page) -> None:
    page.goto("/anmelden/")
    page.locator("#id_username").fill("expert1")
    page.locator("#id_password").fill("falsch")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_visitor_switches_to_english_and_back(page: Page) -> None:
    page.goto("/handlungsfelder/arbeit/")
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/handlungsfelder/arbeit/$"))
    expect(page.get_by_role("heading", name="Goals", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_demo_user_signs_in_and_sees_their_name(user_page: Callable[..., Page]) -> None:
    page = user_page("expert1")
    expect(page.locator(".site-tools__user")).to_contain_text("Ayşe Yılmaz")
    assert_accessible(page)
