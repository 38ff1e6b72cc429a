"""Which interface texts every language must have (docs/languages.md).

German is the source language: every msgid is German. English is complete. Turkish, Arabic and
Ukrainian cover the *public side*: the pages anyone sees without an account, and those a
citizen uses (concept, action field and goal pages, the read-only room, ideas, questionnaires
for respondents, sign-up, sign-in, legal and error pages, the language switch).

The public side is defined mechanically: a msgid belongs to it when it occurs in one of the
files in ``PUBLIC_SOURCES`` (paths relative to the project root, shell patterns allowed).
Whoever adds a public page adds its template and view module here; ``tests/config/
test_languages.py`` then fails until the Turkish, Arabic and Ukrainian catalogues have each of
its texts. A msgid outside the public set falls back to English in those languages (see
``config.settings``: ``KONSENS_FALLBACK_LANGUAGE`` and ``kernel.i18n``).

``extract_catalogue`` runs Django's makemessages into a temporary directory only: it never
touches ``locale/`` (each file's locale directory is forced to the temporary one).
"""

from __future__ import annotations

import gettext
import os
import struct
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.commands import makemessages

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# English catalogues under each public language's code, for what that language lacks: listed
# after ``locale`` in ``settings.LOCALE_PATHS``, so a real translation always wins.
FALLBACK = ROOT / "locale_fallback"
DOMAINS = ("django", "djangojs")

# The languages whose catalogues must be complete for every msgid, and those that must cover
# the public side.
COMPLETE_LANGUAGES = ("en",)
PUBLIC_LANGUAGES = ("tr", "ar", "uk")

# Directories makemessages skips (the Makefile's ``messages`` target uses the same list).
IGNORED = (
    ".venv",
    "var",
    "tests",
    "bench",
    "node_modules",
    "locale",
    "locale_fallback",
    "docs",
    "deploy",
)

PUBLIC_SOURCES: dict[str, tuple[str, ...]] = {
    "django": (
        # the frame of every page: header, language switch, footer, error pages
        "frontend/templates/frontend/base.html",
        "frontend/templates/frontend/_breadcrumbs.html",
        "frontend/templates/frontend/_status.html",
        "frontend/templates/frontend/_circles.html",
        "frontend/templates/403.html",
        "frontend/templates/404.html",
        "frontend/templates/500.html",
        # concept, action field, goal and the list of rooms
        "frontend/templates/frontend/concept.html",
        "frontend/templates/frontend/action_field.html",
        "frontend/templates/frontend/goal.html",
        "frontend/templates/frontend/version.html",
        "frontend/templates/frontend/_numbered_text.html",
        "frontend/templates/frontend/_plain_twin.html",
        "frontend/drafting_views.py",
        "deliberation/drafting_export.py",
        # the adopted concept (page, print, Markdown)
        "voting/templates/voting/concept_document.html",
        "voting/templates/voting/concept_print.html",
        "voting/templates/voting/_concept_entry_meta.html",
        "frontend/templates/frontend/rooms.html",
        "frontend/views.py",
        # the read-only room for viewers
        "frontend/templates/frontend/room.html",
        "frontend/templates/frontend/room/_fallback.html",
        "frontend/templates/frontend/room/_fallback_comment.html",
        # sign-in, legal pages
        "frontend/templates/frontend/login.html",
        "frontend/templates/frontend/legal.html",
        "config/legal.py",
        "config/logins.py",
        # citizens' participation: sign-up, ideas, questions and opinions, questionnaires
        "participation/templates/participation/layout.html",
        "participation/templates/participation/index.html",
        "participation/templates/participation/_concept_box.html",
        "participation/templates/participation/_contribution.html",
        "participation/templates/participation/_fate.html",
        "participation/templates/participation/_field.html",
        "participation/templates/participation/_form_errors.html",
        "participation/templates/participation/_honeypot.html",
        "participation/templates/participation/sign_up.html",
        "participation/templates/participation/sign_up_sent.html",
        "participation/templates/participation/confirm.html",
        "participation/templates/participation/ideas.html",
        "participation/templates/participation/idea_form.html",
        "participation/templates/participation/opinions.html",
        "participation/templates/participation/contribution.html",
        "participation/templates/participation/mine.html",
        "participation/templates/participation/respond.html",
        "participation/templates/participation/respond_sign_in.html",
        "participation/templates/participation/receipt.html",
        "participation/forms.py",
        "participation/views/accounts.py",
        "participation/views/contributions.py",
        "participation/views/responses.py",
        "participation/services/accounts.py",
        "participation/services/responses.py",
        "participation/templates/participation/email/*.txt",
        # a forgotten password
        "accounts/templates/accounts/password_reset*.html",
        "accounts/templates/accounts/email/password_reset*.txt",
    ),
    "djangojs": (
        # the read-only room as a viewer sees it
        "frontend/static/frontend/room/connection.js",
        "frontend/static/frontend/room/view.js",
        # what happened while the connection was away (everyone in the room hears it)
        "frontend/static/frontend/room/away.js",
        # the keyboard shortcuts' help, offered to everyone in the room
        "frontend/static/frontend/room/keys.js",
    ),
}


# Choice labels shown on the public pages (a goal's status, a round's phase, a circle's kind …):
# their German labels belong to the public set wherever they are defined.
PUBLIC_CHOICES = (
    "deliberation.models.Concept.Status",
    "deliberation.models.Circle.Kind",
    "deliberation.models.Membership.Role",
    "deliberation.models.Goal.Status",
    "deliberation.models.Round.Phase",
    "deliberation.models.Disposition.Value",
    "participation.models.Contribution.Kind",
    "participation.models.Contribution.State",
)


def public_choice_labels() -> set[str]:
    """The German labels (msgids) of ``PUBLIC_CHOICES``."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.module_loading import import_string

    labels: set[str] = set()
    with translation.override(settings.LANGUAGE_CODE):
        for path in PUBLIC_CHOICES:
            model, choices = path.rsplit(".", 1)
            labels.update(str(label) for label in getattr(import_string(model), choices).labels)
    return labels


def _select(pot: Path, sources: Iterable[str]) -> Path:
    """The entries of ``pot`` that occur in one of ``sources`` (``msggrep -N``)."""
    selected = pot.with_suffix(".public.pot")
    args = ["msggrep", "--force-po", "-o", str(selected)]
    for source in sources:
        args += ["-N", source]
    subprocess.run([*args, str(pot)], check=True, capture_output=True)
    return selected


def _mo_pairs(data: bytes) -> list[tuple[str, str]]:
    """The (original, translation) strings of a compiled catalogue, as stored."""
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    pairs = []
    for index in range(count):
        length, offset = struct.unpack(order + "2I", data[originals + 8 * index :][:8])
        original = data[offset : offset + length].decode()
        length, offset = struct.unpack(order + "2I", data[translations + 8 * index :][:8])
        pairs.append((original, data[offset : offset + length].decode()))
    return pairs


def _read_mo(data: bytes) -> dict[Any, str]:
    """A compiled catalogue's entries, keyed like ``gettext.GNUTranslations._catalog``."""
    entries: dict[Any, str] = {}
    for original, translated in _mo_pairs(data):
        if "\x00" in original:
            singular = original.split("\x00")[0]
            for number, form in enumerate(translated.split("\x00")):
                entries[(singular, number)] = form
        else:
            entries[original] = translated
    return entries


def _catalogue_of(po: Path, *, english_identity: bool = False) -> dict[Any, str]:
    """The compiled catalogue of ``po``, as gettext sees it: translated, non-fuzzy entries only.
    Keys are msgids, ``"context\\x04msgid"`` for a context, ``(msgid, n)`` for plural forms.
    With ``english_identity`` every entry counts (``msgen`` copies each msgid into its msgstr)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = po
        if english_identity:
            source = Path(tmp) / "identity.po"
            subprocess.run(["msgen", "-o", str(source), str(po)], check=True, capture_output=True)
        mo = Path(tmp) / "catalogue.mo"
        subprocess.run(["msgfmt", "-o", str(mo), str(source)], check=True, capture_output=True)
        catalogue = _read_mo(mo.read_bytes())
    catalogue.pop("", None)
    return catalogue


def msgids(pot: Path) -> set[str]:
    """The msgids (with context, plural forms reduced to their first) in a template file."""
    keys = set()
    for key in _catalogue_of(pot, english_identity=True):
        keys.add(key[0] if isinstance(key, tuple) else key)
    return keys


def catalogue(language: str, domain: str) -> dict[Any, str]:
    """The translated entries of ``locale/<language>/LC_MESSAGES/<domain>.po``."""
    return _catalogue_of(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")


def missing(catalogue: dict[Any, str], wanted: set[str]) -> list[str]:
    """The wanted msgids without a translation in the compiled ``catalogue``."""
    return sorted(
        msgid for msgid in wanted if not (catalogue.get(msgid) or catalogue.get((msgid, 0)))
    )


class _Extract(makemessages.Command):
    """makemessages whose every file belongs to one temporary locale directory."""

    target: str = ""

    def find_files(self, root: str) -> list[Any]:
        files = super().find_files(root)
        self.locale_paths = [self.target]
        for translatable in files:
            translatable.locale_dir = self.target
        return files

    def write_po_file(self, potfile: str, locale: str) -> None:
        # Only the template is wanted; the catalogues in locale/ stay as they are.
        return


def extract_catalogue(domain: str, target: Path) -> Path:
    """Extract every msgid of ``domain`` from the code into ``target/<domain>.pot``."""
    command = _Extract()
    command.target = str(target)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        command.run_from_argv(
            [
                "manage.py",
                "makemessages",
                "--all",
                "--keep-pot",
                "--verbosity=0",
                f"--domain={domain}",
                *(f"--ignore={name}" for name in IGNORED),
            ]
        )
    finally:
        os.chdir(cwd)
    pot = target / f"{domain}.pot"
    if not pot.exists():
        raise RuntimeError(f"makemessages wrote no {pot}")
    return pot


def public_pot(pot: Path, domain: str) -> Path:
    """The entries of ``pot`` that occur in a public source file."""
    return _select(pot, PUBLIC_SOURCES[domain])


def public_msgids(pot: Path, domain: str) -> set[str]:
    """The public set of ``domain``: the msgids of the public files, plus (for ``django``)
    the public choice labels that ``pot`` holds."""
    found = msgids(public_pot(pot, domain))
    if domain == "django":
        found |= public_choice_labels() & msgids(pot)
    return found


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _plural_forms(language: str, domain: str) -> tuple[str, int, int]:
    """The Plural-Forms header of a language's catalogue, its number of forms and the form
    that n = 1 takes (which gets the English singular)."""
    header = _catalogue_of_header(LOCALE / language / "LC_MESSAGES" / f"{domain}.po")
    line = next(part for part in header.splitlines() if part.startswith("Plural-Forms:"))
    forms = line.split(":", 1)[1].strip()
    count = int(forms.split("nplurals=")[1].split(";")[0])
    expression = forms.split("plural=")[1].rstrip(";").strip()
    return forms, count, gettext.c2py(expression)(1)


def _catalogue_of_header(po: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        mo = Path(tmp) / "catalogue.mo"
        subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True, capture_output=True)
        return dict(_mo_pairs(mo.read_bytes())).get("", "")


def fallback_source(language: str, domain: str) -> str:
    """The English fallback catalogue for ``language``: every English translation the
    language's own catalogue lacks, with the language's plural forms (the English singular
    for the form of n = 1, the English plural for the others)."""
    forms, count, singular_form = _plural_forms(language, domain)
    own = catalogue(language, domain)
    with tempfile.TemporaryDirectory() as tmp:
        mo = Path(tmp) / "en.mo"
        english = LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po"
        subprocess.run(["msgfmt", "-o", str(mo), str(english)], check=True, capture_output=True)
        pairs = _mo_pairs(mo.read_bytes())
    lines = [
        f"# English fallback for {language}: generated by `python -m config.languages`",
        "# from locale/en; do not edit (translate in locale/<language>/ instead).",
        'msgid ""',
        'msgstr ""',
        _quote("Project-Id-Version: konsens\n"),
        _quote("PO-Revision-Date: generated\n"),
        _quote("Last-Translator: config/languages.py\n"),
        _quote("Language-Team: English fallback\n"),
        _quote(f"Language: {language}\n"),
        _quote("MIME-Version: 1.0\n"),
        _quote("Content-Type: text/plain; charset=UTF-8\n"),
        _quote("Content-Transfer-Encoding: 8bit\n"),
        _quote(f"Plural-Forms: {forms}\n"),
    ]
    for original, translated in sorted(pairs):
        if not original:
            continue
        context, _, message = original.rpartition("\x04")
        singular, _, plural = message.partition("\x00")
        key = f"{context}\x04{singular}" if context else singular
        if own.get(key) or own.get((key, 0)):
            continue
        lines.append("")
        if context:
            lines.append(f"msgctxt {_quote(context)}")
        lines.append(f"msgid {_quote(singular)}")
        if plural:
            english_forms = translated.split("\x00")
            lines.append(f"msgid_plural {_quote(plural)}")
            for index in range(count):
                text = english_forms[0] if index == singular_form else english_forms[-1]
                lines.append(f"msgstr[{index}] {_quote(text)}")
        else:
            lines.append(f"msgstr {_quote(translated)}")
    return "\n".join(lines) + "\n"


def write_fallbacks() -> list[Path]:
    """Write and compile ``locale_fallback/<language>/LC_MESSAGES/<domain>.po`` for each
    public language (``make messages`` runs this after makemessages)."""
    written = []
    for language in PUBLIC_LANGUAGES:
        for domain in DOMAINS:
            target = FALLBACK / language / "LC_MESSAGES" / f"{domain}.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(fallback_source(language, domain), encoding="utf-8")
            subprocess.run(
                ["msgfmt", "--check", "-o", str(target.with_suffix(".mo")), str(target)],
                check=True,
            )
            written.append(target)
    return written


if __name__ == "__main__":
    for path in write_fallbacks():
        print(path.relative_to(ROOT))
