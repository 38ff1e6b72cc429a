"""Anchors carried through the diff: when a goal gets a new version, every comment and open
change proposal anchored to a passage of the previous version (or carried into it) is looked
for in the new text (``deliberation.anchoring``) and its ``AnchorPlacement`` stored, in the
publishing transaction, with one ``anchors.placed`` event per room of the field.

Also the one check of a comment's anchor when it is posted (``comment_anchor``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from deliberation import anchoring
from deliberation.eventlog import record_event
from deliberation.models import AnchorPlacement, ChangeProposal, Circle, Comment, GoalVersion
from kernel.errors import Invalid


def comment_anchor(
    version: GoalVersion, paragraph: Any, quote: Any, prefix: Any = "", suffix: Any = ""
) -> dict[str, Any]:
    """The anchor fields of a new comment on ``version``: the paragraph checked, the quote
    trimmed, its context taken from the text itself (``prefix`` only picks the occurrence
    when the quote appears more than once)."""
    quote = (quote if isinstance(quote, str) else "").strip()
    if len(quote) > anchoring.QUOTE_MAX:
        raise Invalid(_("Das Zitat darf höchstens 500 Zeichen lang sein."), field="anchor")
    if paragraph is None:
        return {
            "anchor_paragraph": None,
            "anchor_quote": "",
            "anchor_prefix": "",
            "anchor_suffix": "",
        }
    paragraphs = version.paragraphs
    if not isinstance(paragraph, int) or not 1 <= paragraph <= len(paragraphs):
        raise Invalid(
            _("Absatz %(p)s gibt es nicht; diese Fassung hat %(n)s Absätze.")
            % {"p": paragraph, "n": len(paragraphs)},
            field="anchor",
        )
    hint = prefix if isinstance(prefix, str) else ""
    before, after = anchoring.context_of(paragraphs[paragraph - 1], quote, prefix_hint=hint)
    return {
        "anchor_paragraph": paragraph,
        "anchor_quote": quote,
        "anchor_prefix": before,
        "anchor_suffix": after,
    }


def _source(
    item: Comment | ChangeProposal,
    previous: GoalVersion,
    placements: dict[int, AnchorPlacement],
    paragraphs: list[str],
) -> anchoring.Anchor | None:
    """The item's passage in ``previous``: its own anchor if written on it, else where its
    placement in ``previous`` put it."""
    if item.version_id == previous.pk:
        if isinstance(item, Comment):
            number, quote = item.anchor_paragraph, item.anchor_quote
            prefix, suffix = item.anchor_prefix, item.anchor_suffix
        else:
            number, quote, prefix, suffix = item.paragraph, item.quote, item.prefix, item.suffix
        if not number or number > len(paragraphs):
            return None
        if not quote:  # anchored to the whole paragraph
            quote = paragraphs[number - 1][: anchoring.QUOTE_MAX]
        return anchoring.Anchor(number, quote, prefix, suffix)
    placed = placements.get(item.pk)
    if placed is None or placed.paragraph is None or placed.paragraph > len(paragraphs):
        return None
    text = paragraphs[placed.paragraph - 1]
    quote = text[placed.start or 0 : placed.end or 0]
    prefix, suffix = anchoring.context_of(text, quote)
    return anchoring.Anchor(placed.paragraph, quote, prefix, suffix)


def placement_data(placement: AnchorPlacement) -> dict[str, Any]:
    return {
        "version": {"id": placement.version_id, "number": placement.version.number},
        "state": placement.state,
        "paragraph": placement.paragraph,
        "start": placement.start,
        "end": placement.end,
    }


def anchors_place(*, version: GoalVersion, actor: Any = None) -> list[AnchorPlacement]:
    """Store where each anchored comment and open proposal of the goal stands in ``version``.

    Precondition: inside the transaction that created ``version``."""
    previous = (
        GoalVersion.objects.filter(goal_id=version.goal_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    if previous is None:
        return []
    old, new = previous.paragraphs, version.paragraphs
    mapping = anchoring.align(old, new)
    kinds: list[tuple[str, Any]] = [
        (
            "comment",
            Comment.objects.filter(goal_id=version.goal_id, anchor_paragraph__isnull=False),
        ),
        (
            "proposal",
            ChangeProposal.objects.filter(
                goal_id=version.goal_id, state=ChangeProposal.State.OPEN, applied_in__isnull=True
            ),
        ),
    ]
    created: list[AnchorPlacement] = []
    for kind, queryset in kinds:
        earlier = {
            getattr(p, f"{kind}_id"): p
            for p in AnchorPlacement.objects.filter(
                version=previous, **{f"{kind}__isnull": False}
            ).exclude(state=AnchorPlacement.State.ORPHANED)
        }
        for item in queryset.filter(pk__in=list(earlier)) | queryset.filter(version=previous):
            source = _source(item, previous, earlier, old)
            if source is None:
                continue
            found = anchoring.place(source, old, new, mapping=mapping)
            created.append(
                AnchorPlacement(
                    version=version,
                    state=found.state,
                    paragraph=found.paragraph,
                    start=found.start,
                    end=found.end,
                    **{kind: item},
                )
            )
    AnchorPlacement.objects.bulk_create(created)
    if created:
        payload = {
            "version": {"id": version.pk, "goal": version.goal_id, "number": version.number},
            "from_version": {"id": previous.pk, "number": previous.number},
            "placements": [
                {
                    "comment": p.comment_id,
                    "proposal": p.proposal_id,
                    **placement_data(p),
                }
                for p in created
            ],
        }
        goal = version.goal
        for pk in Circle.objects.filter(action_field_id=goal.action_field_id).values_list(
            "pk", flat=True
        ):
            record_event(circle=pk, kind="anchors.placed", payload=payload, actor=actor)
    return created


def forget_applied(*, version: GoalVersion) -> None:
    """Drop the placements of proposals applied in ``version``: their text was replaced on
    purpose (``deliberation.proposals.proposals_mark_applied``, which runs after the version
    is created; the ``anchors.placed`` event named them, clients ignore proposals there)."""
    AnchorPlacement.objects.filter(version=version, proposal__applied_in=version).delete()


def latest_placements(comment_ids: list[int]) -> dict[int, AnchorPlacement]:
    """Comment id → its newest placement (one query), for lists such as the round report."""
    newest: dict[int, AnchorPlacement] = {}
    for placed in (
        AnchorPlacement.objects.filter(comment_id__in=comment_ids)
        .select_related("version")
        .order_by("version__number")
    ):
        if placed.comment_id is not None:
            newest[placed.comment_id] = placed
    return newest
