"""The style sheets use logical properties (start/end, not left/right), so the Arabic pages
mirror as a whole under ``dir="rtl"`` without a second style sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHEETS = sorted(
    [*ROOT.glob("frontend/static/frontend/*.css"), *ROOT.glob("*/static/*/*.css")],
)
PHYSICAL = re.compile(
    r"(?<![-\w])(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right)\s*:"
    r"|text-align\s*:\s*(?:left|right)\b|float\s*:\s*(?:left|right)\b"
)


def _without_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_style_sheets_use_logical_properties_only(sheet: Path) -> None:
    found = [
        f"{sheet.name}:{number}: {line.strip()}"
        for number, line in enumerate(_without_comments(sheet.read_text()).splitlines(), 1)
        if PHYSICAL.search(line)
    ]
    assert not found, found
