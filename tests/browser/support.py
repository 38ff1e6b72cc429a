"""Helpers for real-browser tests: signing in as a demo user and asking axe-core.

The fixtures that use these live in ``tests/browser/conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "konsens-demo"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# What a script leaks into the page when it writes a missing value as text.
# Whole words, and runs of them ("nullnull" from two missing values side by side).
JUNK_TEXT = re.compile(r"(?<![\w-])(?:null|undefined|NaN|\[object Object\])+(?![\w-])")


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
        # Evaluated through the browser's debugging protocol, which the page's
        # Content-Security-Policy does not govern (an added <script> tag would be refused).
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
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


def junk_text(text: str) -> list[str]:
    """The leaked-value words ("null", "undefined", "NaN", "[object Object]") in ``text``,
    with some context each, as a person would read them."""
    found = []
    for match in JUNK_TEXT.finditer(text):
        start, end = max(0, match.start() - 40), min(len(text), match.end() + 40)
        found.append(text[start:end].replace("\n", " ⏎ "))
    return found


def assert_no_junk_text(page: Page) -> None:
    """The page as it reads now (``document.body.innerText``) shows no "null", "undefined",
    "NaN" or "[object Object]" as a whole word: what a script writes for a missing value."""
    junk = junk_text(page.evaluate("() => document.body.innerText"))
    assert not junk, "junk text on the page:\n" + "\n".join(junk)
