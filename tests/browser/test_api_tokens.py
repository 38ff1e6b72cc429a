"""An expert makes an API token on a 375×740 phone: the secret is shown once, works for a
script, and stops working once revoked on the same page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def test_a_token_is_shown_once_used_and_revoked(user_page: Callable[..., Page]) -> None:
    page = user_page("expert2", **PHONE)
    page.goto("/konto/")
    page.get_by_role("link", name="API-Tokens").click()
    page.get_by_label("Bezeichnung").fill("Auswertungsskript")
    page.get_by_role("button", name="Token erstellen").click()

    secret = page.locator("[data-token]").inner_text().strip()
    assert len(secret) == 40
    expect(page.get_by_role("status")).to_contain_text("nur dieses eine Mal")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    signed_in = page.request.get(
        "/api/v1/auth/tokens/", headers={"Authorization": f"Token {secret}"}
    )
    assert signed_in.status == 200

    page.goto("/konto/api-tokens/")
    expect(page.locator("[data-token]")).to_have_count(0)
    expect(page.get_by_text("Auswertungsskript")).to_be_visible()
    page.get_by_role("button", name=f"Token {secret[:8]}… widerrufen").click()

    expect(page.get_by_text("Der Token ist widerrufen.")).to_be_visible()
    refused = page.request.get("/api/v1/auth/tokens/", headers={"Authorization": f"Token {secret}"})
    assert refused.status == 401
