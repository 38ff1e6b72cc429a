"""Machine translation on demand: one service, for every door.

``translation_get`` returns a text the actor may see in the target language, always marked
as a machine translation and with its original. It asks the same access helpers and rules
as the pages that show the text, so a private room's comment is as invisible here as there.
The translation is cached per SHA-256 of the source text and target language: a second
reader costs no request to the provider, and an edited text is translated afresh.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assist import providers
from assist.models import MachineTranslation
from deliberation.models import Comment, Goal, Idea
from kernel import checks
from kernel.errors import Conflict, Invalid, NotFound
from kernel.permissions import can
from kernel.types import Actor
from participation.access import access_contribution, access_results
from participation.models import Answer, Question

KINDS = ("comment", "idea", "contribution", "answer", "goal")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


@dataclass
class Translation:
    kind: str
    object_id: int
    original: str
    text: str
    source_lang: str
    target_lang: str
    provider: str
    cached: bool
    machine_translation: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.object_id,
            "original": self.original,
            "text": self.text,
            "source_lang": self.source_lang or None,
            "target_lang": self.target_lang,
            "provider": self.provider,
            "cached": self.cached,
            "machine_translation": True,
            "marking": _("Maschinell übersetzt"),
        }


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translation_enabled() -> bool:
    return getattr(settings, "TRANSLATION_PROVIDER", "none") != "none"


def _missing(kind: str) -> NotFound:
    return NotFound(_("Diesen Text gibt es nicht."), field="id")


def source_text(actor: Actor, kind: str, object_id: int) -> str:
    """The text of ``kind`` number ``object_id``, if ``actor`` may see it; else NotFound."""
    if kind == "comment":
        comment = Comment.objects.select_related("circle").filter(pk=object_id).first()
        if comment is None or not can(actor, "deliberation.view_room", comment.circle):
            raise _missing(kind)
        if comment.state != Comment.State.VISIBLE and not can(
            actor, "deliberation.moderate_room", comment.circle
        ):
            raise _missing(kind)
        return comment.body
    if kind == "idea":
        idea = Idea.objects.select_related("circle").filter(pk=object_id).first()
        if idea is None or not can(actor, "deliberation.view_room", idea.circle):
            raise _missing(kind)
        return f"{idea.title}\n\n{idea.text}" + (f"\n\n{idea.rationale}" if idea.rationale else "")
    if kind == "contribution":
        contribution = access_contribution(actor, object_id, message=_missing(kind).message)
        return str(contribution.feedback_text)
    if kind == "answer":
        answer = (
            Answer.objects.select_related("response", "question")
            .filter(pk=object_id, question__kind=Question.Kind.TEXT)
            .exclude(text="")
            .first()
        )
        if answer is None:
            raise _missing(kind)
        access_results(actor, answer.response.questionnaire_id, message=_missing(kind).message)
        return answer.text
    if kind == "goal":
        # Goals are public, as on their page (``frontend.views.goal``).
        goal = Goal.objects.select_related("current_version").filter(pk=object_id).first()
        if goal is None or goal.current_version is None:
            raise _missing(kind)
        return goal.current_version.text
    raise Invalid(
        _("Unbekannte Art von Text; möglich sind: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
        field="kind",
    )


def translation_get(
    *, actor: Actor, kind: str, object_id: Any, target: str, source: str | None = None
) -> Translation:
    """The machine translation of a text ``actor`` may see into ``target``.

    Raises ``NotFound`` for a text the actor may not see (whether or not a translator is
    configured: nothing about hidden texts leaks), ``Conflict`` when the installation has no
    translator, ``ProviderError`` when the provider fails (nothing is cached then)."""
    object_id = checks.integer(object_id, "id")
    target = str(target or "").strip()
    if not _LANG.match(target) or target not in settings.TRANSLATION_LANGUAGES:
        raise Invalid(
            _("Unbekannte Zielsprache; möglich sind: %(langs)s.")
            % {"langs": ", ".join(settings.TRANSLATION_LANGUAGES)},
            field="target",
        )
    original = source_text(actor, kind, object_id)
    digest = text_hash(original)
    cached = MachineTranslation.objects.filter(text_hash=digest, target_lang=target).first()
    if cached is None:
        translator = providers.translator()
        if translator is None:
            raise Conflict(_("Maschinelle Übersetzung ist in dieser Installation ausgeschaltet."))
        translated = translator.translate(original, source=source, target=target)
        if not translated.strip():
            raise providers.ProviderError(_("Der Übersetzungsdienst hat nichts geliefert."))
        try:
            with transaction.atomic():
                row = MachineTranslation.objects.create(
                    text_hash=digest,
                    source_lang=source or "",
                    target_lang=target,
                    text=translated,
                    provider=translator.name,
                )
        except IntegrityError:  # a concurrent reader translated it first: keep theirs
            row = MachineTranslation.objects.get(text_hash=digest, target_lang=target)
        was_cached = False
    else:
        row, was_cached = cached, True
    return Translation(
        kind=kind,
        object_id=object_id,
        original=original,
        text=row.text,
        source_lang=row.source_lang,
        target_lang=row.target_lang,
        provider=row.provider,
        cached=was_cached,
    )
