"""Drafting aids beside the binding text: where a comment's or change proposal's anchor
stands in a later version (``AnchorPlacement``, computed by ``deliberation.anchors`` when a
version is published) and the plain-language twin of a version (``PlainText``, "Leichte
Sprache"), which is never the text voted on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.models.concept import GoalVersion


class AnchorPlacement(models.Model):
    """Where the passage a comment or proposal quoted (on an earlier version) stands in
    ``version``: ``carried`` (same text, same paragraph), ``moved`` (found elsewhere) or
    ``orphaned`` (gone). ``paragraph``/``start``/``end`` (1-based paragraph, character
    offsets in it, end exclusive) are empty for an orphaned anchor."""

    class State(models.TextChoices):
        CARRIED = "carried", pgettext_lazy("anchor", "übernommen")
        MOVED = "moved", pgettext_lazy("anchor", "verschoben")
        ORPHANED = "orphaned", pgettext_lazy("anchor", "verwaist")

    version = models.ForeignKey(
        GoalVersion,
        on_delete=models.CASCADE,
        related_name="anchor_placements",
        verbose_name=_("Fassung"),
    )
    comment = models.ForeignKey(
        "deliberation.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("Kommentar"),
    )
    proposal = models.ForeignKey(
        "deliberation.ChangeProposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("Änderungsvorschlag"),
    )
    state = models.CharField(
        pgettext_lazy("anchor", "Zustand"), max_length=10, choices=State.choices
    )
    paragraph = models.PositiveSmallIntegerField(_("Absatz"), null=True, blank=True)
    start = models.PositiveIntegerField(_("von Zeichen"), null=True, blank=True)
    end = models.PositiveIntegerField(_("bis Zeichen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Verankerung in einer Fassung")
        verbose_name_plural = _("Verankerungen in Fassungen")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(comment__isnull=False, proposal__isnull=True)
                | Q(comment__isnull=True, proposal__isnull=False),
                name="placement_for_exactly_one_item",
            ),
            models.UniqueConstraint(
                fields=["version", "comment"],
                condition=Q(comment__isnull=False),
                name="one_placement_per_comment_version",
            ),
            models.UniqueConstraint(
                fields=["version", "proposal"],
                condition=Q(proposal__isnull=False),
                name="one_placement_per_proposal_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.state}"


class PlainText(models.Model):
    """The plain-language twin of one version, written by the drafters. Out of date as soon
    as a later version of the goal exists (derived, see ``deliberation.plain``)."""

    version = models.OneToOneField(
        GoalVersion, on_delete=models.CASCADE, related_name="plain", verbose_name=_("Fassung")
    )
    text = models.TextField(_("Text in Leichter Sprache"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verfasst von"),
    )
    updated_at = models.DateTimeField(_("geändert am"))

    class Meta:
        verbose_name = _("Fassung in Leichter Sprache")
        verbose_name_plural = _("Fassungen in Leichter Sprache")

    def __str__(self) -> str:
        return f"{self.version} – {_('Leichte Sprache')}"
