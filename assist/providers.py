"""Outside services behind two small interfaces, chosen by settings; none by default.

* ``Translator.translate(text, *, source, target)``: LibreTranslate, DeepL or an
  OpenAI-compatible chat endpoint (``TRANSLATION_PROVIDER``).
* ``Drafter.draft(*, system, prompt)``: an OpenAI-compatible chat endpoint, so a city's own
  or a local model (llama.cpp, vLLM, Ollama) works (``ASSISTANT_PROVIDER``).

With ``none`` (the default) nothing leaves the server: :func:`translator` and
:func:`drafter` return ``None`` and no HTTP request is ever built. ``fake`` runs in-process,
deterministically, for tests and the demo. Every request goes through :func:`post_json`,
one function with a timeout, so a test can prove that no request was attempted.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from kernel.errors import DomainError


class ProviderError(DomainError):
    """The outside service failed or answered nonsense; nothing was stored."""

    code = "provider_error"


class Translator(Protocol):
    name: str

    def translate(self, text: str, *, source: str | None, target: str) -> str: ...


class Drafter(Protocol):
    name: str
    model: str

    def draft(self, *, system: str, prompt: str) -> str: ...


def post_json(url: str, payload: dict[str, Any], *, headers: dict[str, str], timeout: float) -> Any:
    """POST ``payload`` as JSON, return the decoded JSON answer. The only network call of
    this app; errors become :class:`ProviderError` without the key or the text in it."""
    if not url.startswith(("https://", "http://")):
        raise ProviderError(_("Die Adresse des Dienstes muss mit http:// oder https:// beginnen."))
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read(2_000_000).decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ProviderError(
            _("Der Dienst hat mit Fehler %(status)s geantwortet.") % {"status": exc.code}
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise ProviderError(_("Der Dienst ist nicht erreichbar oder antwortet nicht.")) from None


def _timeout() -> float:
    return float(getattr(settings, "ASSIST_HTTP_TIMEOUT", 20))


# --- the fake: in-process, deterministic, reversible ---------------------------------------

FAKE_PREFIX = "[tr] "


@dataclass
class FakeTranslator:
    """``"[tr] <target>: <text>"``; :func:`fake_original` gives the text back."""

    name: str = "fake"

    def translate(self, text: str, *, source: str | None, target: str) -> str:
        return f"{FAKE_PREFIX}{target}: {text}"


def fake_original(translated: str) -> str:
    match = re.fullmatch(r"\[tr\] [a-zA-Z-]+: (.*)", translated, flags=re.DOTALL)
    return match.group(1) if match else translated


@dataclass
class FakeDrafter:
    """One sentence per feedback line of the prompt (``[c12] text``), citing it."""

    name: str = "fake"
    model: str = "fake-drafter-1"

    def draft(self, *, system: str, prompt: str) -> str:
        sentences = []
        for ref, text in re.findall(r"^\[([a-z]\d+)\] (.+)$", prompt, flags=re.MULTILINE):
            gist = " ".join(text.replace(".", " ").replace("!", " ").replace("?", " ").split()[:8])
            sentences.append(f"Rückmeldung: {gist} [{ref}].")
        return " ".join(sentences)


# --- real providers -----------------------------------------------------------------------


@dataclass
class LibreTranslate:
    url: str
    api_key: str = ""
    name: str = "libretranslate"

    def translate(self, text: str, *, source: str | None, target: str) -> str:
        payload: dict[str, Any] = {
            "q": text,
            "source": source or "auto",
            "target": target,
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        answer = post_json(
            self.url.rstrip("/") + "/translate", payload, headers={}, timeout=_timeout()
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("translatedText"), str):
            raise ProviderError(_("Der Übersetzungsdienst hat keine Übersetzung geliefert."))
        return str(answer["translatedText"])


@dataclass
class DeepL:
    api_key: str
    url: str = "https://api-free.deepl.com"
    name: str = "deepl"

    def translate(self, text: str, *, source: str | None, target: str) -> str:
        payload: dict[str, Any] = {"text": [text], "target_lang": target.upper()}
        if source:
            payload["source_lang"] = source.upper()
        answer = post_json(
            self.url.rstrip("/") + "/v2/translate",
            payload,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
            timeout=_timeout(),
        )
        try:
            return str(answer["translations"][0]["text"])
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                _("Der Übersetzungsdienst hat keine Übersetzung geliefert.")
            ) from None


def _chat(url: str, api_key: str, model: str, messages: list[dict[str, str]]) -> str:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    answer = post_json(
        url.rstrip("/") + "/chat/completions",
        {"model": model, "messages": messages, "temperature": 0},
        headers=headers,
        timeout=_timeout(),
    )
    try:
        return str(answer["choices"][0]["message"]["content"]).strip()
    except (KeyError, IndexError, TypeError):
        raise ProviderError(_("Das Sprachmodell hat keine Antwort geliefert.")) from None


@dataclass
class OpenAITranslator:
    url: str
    model: str
    api_key: str = ""
    name: str = "openai"

    def translate(self, text: str, *, source: str | None, target: str) -> str:
        system = (
            f"Translate the user's text into the language with the code {target!r}. "
            "Answer with the translation only, keep line breaks and Markdown."
        )
        return _chat(
            self.url,
            self.api_key,
            self.model,
            [{"role": "system", "content": system}, {"role": "user", "content": text}],
        )


@dataclass
class OpenAIDrafter:
    url: str
    model: str
    api_key: str = ""
    name: str = "openai"

    def draft(self, *, system: str, prompt: str) -> str:
        return _chat(
            self.url,
            self.api_key,
            self.model,
            [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
        )


# --- chosen by settings -------------------------------------------------------------------


def translator() -> Translator | None:
    """The configured translator; ``None`` when ``TRANSLATION_PROVIDER`` is ``none``."""
    kind = getattr(settings, "TRANSLATION_PROVIDER", "none")
    url = getattr(settings, "TRANSLATION_URL", "")
    key = getattr(settings, "TRANSLATION_API_KEY", "")
    if kind == "fake":
        return FakeTranslator()
    if kind == "libretranslate":
        return LibreTranslate(url=url, api_key=key)
    if kind == "deepl":
        return DeepL(api_key=key, url=url or "https://api-free.deepl.com")
    if kind == "openai":
        return OpenAITranslator(
            url=url, model=getattr(settings, "TRANSLATION_MODEL", ""), api_key=key
        )
    return None


def drafter() -> Drafter | None:
    """The configured drafter; ``None`` when ``ASSISTANT_PROVIDER`` is ``none``."""
    kind = getattr(settings, "ASSISTANT_PROVIDER", "none")
    if kind == "fake":
        return FakeDrafter()
    if kind == "openai":
        return OpenAIDrafter(
            url=getattr(settings, "ASSISTANT_URL", ""),
            model=getattr(settings, "ASSISTANT_MODEL", ""),
            api_key=getattr(settings, "ASSISTANT_API_KEY", ""),
        )
    return None
