"""The translation catalogues in the tree: English complete, compiled files current.

A fresh machine needs no gettext: the compiled ``.mo`` files are committed, so they must match
their ``.po`` sources. Refresh both with ``make messages`` after adding strings."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] = ("msgid", 0)

    def finish() -> None:
        nonlocal current
        if current.msgid:
            entries.append(current)
        current = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            current.fuzzy = current.fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] = current.msgstr.get(index, "") + text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                target = ("msgstr", index)
                current.msgstr[index] = text
            else:
                target = (keyword, 0)
                setattr(current, keyword, text)
    finish()
    return entries


def _english() -> list[Path]:
    return [p for p in CATALOGUES if p.parts[-3] == "en"]


def test_there_are_german_and_english_catalogues() -> None:
    assert (LOCALE / "de/LC_MESSAGES/django.po").exists()
    assert (LOCALE / "en/LC_MESSAGES/django.po").exists()


@pytest.mark.parametrize("po", _english(), ids=lambda p: p.name)
def test_every_english_message_is_translated(po: Path) -> None:
    missing = [e.msgid for e in read_po(po) if e.fuzzy or not all(e.msgstr.values())]
    assert not missing, f"{len(missing)} untranslated in {po}: {missing[:10]}"


@pytest.mark.parametrize("po", _english(), ids=lambda p: p.name)
def test_english_translations_keep_every_placeholder(po: Path) -> None:
    wrong = [
        e.msgid
        for e in read_po(po)
        for text in e.msgstr.values()
        if text and set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(e.msgid))
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: f"{p.parts[-3]}-{p.name}")
def test_compiled_catalogue_matches_its_source(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make messages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in read_po(po):
        if entry.fuzzy:
            continue
        for index, text in entry.msgstr.items():
            if not text:
                continue
            key = (entry.key, index) if entry.msgid_plural is not None else entry.key
            if compiled.get(key) != text:
                stale.append(entry.msgid)
    assert not stale, f"{mo} is older than {po.name}: run make messages ({stale[:5]})"
