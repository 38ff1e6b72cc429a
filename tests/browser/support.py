"""Helpers for real-browser tests: signing in as a demo user and asking axe-core.

The fixtures that use these live in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "konsens-demo"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign ``page``'s browser context in through the login form, as a person would.

    Needs a ``base_url`` on the context (the ``browser_context_args`` fixture sets it)."""
    page.goto("/anmelden/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    # The header names whoever is signed in; waiting for it also waits for the redirect.
    expect(page.locator(".site-tools__user")).to_be_visible()


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(str(node["target"]) for node in v["nodes"][:3])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    bad = axe_violations(page)
    assert not bad, describe_violations(bad)
