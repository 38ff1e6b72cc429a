"""The concept document as Markdown: per action field its adopted goals, in order, each with
the wording voted on and the way back to its trail and its vote's record."""

from __future__ import annotations

from urllib.parse import urljoin

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deliberation import drafting_export
from deliberation.models import Concept
from voting import selectors
from voting.models import Result


def _date(value: object) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")  # type: ignore[arg-type]


def concept_markdown(concept: Concept, *, base_url: str) -> str:
    """The whole document; ``base_url`` (``https://host/``) makes the links absolute."""
    sections = selectors.concept_document(concept)
    lines = [f"# {concept.title}", ""]
    meta = [_("Laufzeit %(period)s") % {"period": concept.period}]
    if concept.resolution_reference:
        meta.append(concept.resolution_reference)
    meta.append(_("Stand: %(date)s") % {"date": _date(timezone.now())})
    lines += [" · ".join(meta), ""]
    for number, section in enumerate(sections, start=1):
        lines += [f"## {number}. {section.action_field.title}", ""]
        if not section.entries:
            lines += ["*" + _("Noch keine beschlossenen Ziele.") + "*", ""]
            continue
        for goal_number, entry in enumerate(section.entries, start=1):
            motion = entry.motion
            result: Result = motion.result
            trail = urljoin(base_url, reverse("frontend:goal", args=[entry.goal_id]))
            vote = urljoin(base_url, reverse("voting:motion", args=[motion.pk]))
            lines += [
                f"### {number}.{goal_number} {entry.goal.title}",
                "",
                # Numbered as everywhere (deliberation.lines); the twin after it, if any.
                drafting_export.numbered_with_twin(entry.version),
                "",
                "*"
                + _(
                    "Beschlossen am %(date)s im %(circle)s (Fassung %(version)s, "
                    "Abstimmung Nr. %(motion)s, %(participants)s von %(eligible)s Stimmen)."
                )
                % {
                    "date": _date(entry.adopted_at),
                    "circle": motion.circle.title,
                    "version": entry.version.number,
                    "motion": motion.pk,
                    "participants": result.participant_count,
                    "eligible": result.eligible_count,
                }
                + "*  ",
                f"{_('Verlauf')}: <{trail}> · {_('Ergebnis')}: <{vote}> · "
                f"SHA-256: `{result.digest}`",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"
