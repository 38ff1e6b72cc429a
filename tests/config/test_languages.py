"""Every text a user can meet has its translation: English for every msgid in the code, Turkish,
Arabic and Ukrainian for the public side (``config.languages.PUBLIC_SOURCES``), English for
the rest in those three languages (docs/languages.md).

The msgids come from the code itself: Django's makemessages runs into a temporary directory
(``config.languages.extract_catalogue``; ``locale/`` is never written), once per session."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

from config import languages

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PLURAL_FORMS = {"tr": 2, "ar": 6, "uk": 3}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    target = tmp_path_factory.mktemp("messages")
    extracted = {
        domain: languages.extract_catalogue(domain, target) for domain in languages.DOMAINS
    }
    # makemessages' templates went to the temporary directory, none into locale/
    assert all(path.parent == target for path in extracted.values())
    assert not list(languages.LOCALE.glob("*.pot"))
    return extracted


def test_the_extraction_finds_the_code_and_the_templates(templates: dict[str, Path]) -> None:
    django = languages.msgids(templates["django"])
    script = languages.msgids(templates["djangojs"])
    assert "Sprache wechseln" in django  # a template (base.html)
    assert "Dieses Ziel gibt es nicht." in django  # a view module
    assert "Live verbunden" in script  # a room script
    assert "Live verbunden" not in django


@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_every_msgid_in_the_code_has_an_english_translation(
    templates: dict[str, Path], domain: str
) -> None:
    wanted = languages.msgids(templates[domain])
    missing = languages.missing(languages.catalogue("en", domain), wanted)
    assert not missing, (
        f"{len(missing)} msgids of the code have no English translation in "
        f"locale/en/LC_MESSAGES/{domain}.po: {missing[:10]}"
    )


@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_the_public_set_is_substantial_and_covers_the_public_pages(
    templates: dict[str, Path], domain: str
) -> None:
    public = languages.public_msgids(templates[domain], domain)
    everything = languages.msgids(templates[domain])
    assert public <= everything
    assert len(public) > 50
    if domain == "django":
        # the language switch, the ideas form, a questionnaire, a goal's status, the 404 page
        for msgid in ("Sprache wechseln", "Idee einreichen", "Abschicken", "In Diskussion"):
            assert msgid in public
        assert "Seite nicht gefunden" in public


@pytest.mark.parametrize("language", languages.PUBLIC_LANGUAGES)
@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_public_languages_translate_every_public_msgid(
    templates: dict[str, Path], domain: str, language: str
) -> None:
    public = languages.public_msgids(templates[domain], domain)
    missing = languages.missing(languages.catalogue(language, domain), public)
    assert not missing, (
        f"{len(missing)} public msgids lack a translation in "
        f"locale/{language}/LC_MESSAGES/{domain}.po (config/languages.py): {missing[:10]}"
    )


def _pairs(language: str, domain: str) -> list[tuple[str, str]]:
    po = languages.LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    mo = subprocess.run(["msgfmt", "-o", "-", str(po)], check=True, capture_output=True).stdout
    return [(original, text) for original, text in languages._mo_pairs(mo) if original]


@pytest.mark.parametrize("language", languages.PUBLIC_LANGUAGES)
@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_translations_keep_every_placeholder_in_every_plural_form(
    domain: str, language: str
) -> None:
    wrong = []
    for original, translated in _pairs(language, domain):
        wanted = set(PLACEHOLDER.findall(original.rpartition("\x04")[2]))
        for form in translated.split("\x00"):
            if set(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((original, form))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("language", languages.PUBLIC_LANGUAGES)
@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_plural_entries_have_as_many_forms_as_the_language(domain: str, language: str) -> None:
    forms, count, _ = languages._plural_forms(language, domain)
    assert count == PLURAL_FORMS[language], forms
    plural = [text for original, text in _pairs(language, domain) if "\x00" in original]
    assert plural, "the public side has plural texts (comment counts)"
    assert all(len(text.split("\x00")) == count and all(text.split("\x00")) for text in plural)


@pytest.mark.parametrize("language", languages.PUBLIC_LANGUAGES)
@pytest.mark.parametrize("domain", languages.DOMAINS)
def test_english_fallback_is_compiled_from_its_source(domain: str, language: str) -> None:
    po = languages.FALLBACK / language / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists(), "run: python -m config.languages"
    fresh = subprocess.run(["msgfmt", "-o", "-", str(po)], check=True, capture_output=True).stdout
    assert languages._mo_pairs(mo.read_bytes()) == languages._mo_pairs(fresh)


def _expert_side_msgid(language: str, domain: str = "django") -> tuple[str, str]:
    """A msgid the language leaves to the English fallback, with its English text."""
    own = languages.catalogue(language, domain)
    english = languages.catalogue("en", domain)
    for msgid, text in sorted((k, v) for k, v in english.items() if isinstance(k, str)):
        if "\x04" not in msgid and msgid not in own and text != msgid and "%" not in msgid:
            return msgid, text
    raise AssertionError("no msgid left to the fallback")


@pytest.mark.parametrize("language", languages.PUBLIC_LANGUAGES)
def test_untranslated_expert_texts_read_in_english_not_german(language: str) -> None:
    msgid, english = _expert_side_msgid(language)
    with translation.override(language):
        assert translation.gettext("Sprache wechseln") not in {
            "Sprache wechseln",
            "Change language",
        }
        assert translation.gettext(msgid) == english


def _js_catalogue(language: str) -> str:
    """The room scripts' catalogue (``/jsi18n/``) as the view renders it for ``language``."""
    with translation.override(language):
        response = JavaScriptCatalog.as_view()(RequestFactory().get("/jsi18n/"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_arabic_script_catalogue_is_arabic_with_english_for_the_rest() -> None:
    text = _js_catalogue("ar")
    assert json.dumps("متصل مباشرةً") in text  # "Live verbunden", public
    _msgid, english = _expert_side_msgid("ar", "djangojs")
    assert json.dumps(english) in text  # a member's text, in English
    assert "n==0 ? 0 : n==1 ? 1 : n==2 ? 2" in text  # Arabic plural rule, six forms
