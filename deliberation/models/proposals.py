"""Change proposals ("Änderungsanträge"): an expert proposes new wording for a passage of a
goal's current version; the passage is named by paragraph and character offsets and kept as
quote with its surrounding words (so it can be found again in a later version). Each
proposal is a piece of feedback answered by a ``Disposition``; a moderator may put one to a
quick open vote in the room (``ProposalVote``, ``ProposalBallot``). Accepted proposals are
applied when the drafter publishes the next version (``applied_in``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.models.concept import Circle, Goal, GoalVersion

QUOTE_MAX = 500
CONTEXT_MAX = 64


class ChangeProposal(models.Model):
    """New wording for ``quote`` = ``version.paragraphs[paragraph - 1][start:end]``."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("proposal", "offen")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal", "zurückgezogen")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("Kreis")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("Ziel")
    )
    version = models.ForeignKey(
        GoalVersion,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("Fassung"),
    )
    round = models.ForeignKey(
        "deliberation.Round",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("Runde"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vorgeschlagen von"),
    )
    paragraph = models.PositiveSmallIntegerField(
        _("Absatz"), help_text=_("1 = erster Absatz der Fassung")
    )
    start = models.PositiveIntegerField(_("von Zeichen"))
    end = models.PositiveIntegerField(_("bis Zeichen"))
    quote = models.CharField(_("Zitat"), max_length=QUOTE_MAX)
    prefix = models.CharField(_("Text davor"), max_length=CONTEXT_MAX, blank=True)
    suffix = models.CharField(_("Text danach"), max_length=CONTEXT_MAX, blank=True)
    replacement = models.TextField(_("neue Formulierung"), blank=True)
    reason = models.TextField(_("Begründung"))
    client_key = models.CharField(_("Client-Schlüssel"), max_length=64, blank=True)
    state = models.CharField(
        pgettext_lazy("proposal", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.OPEN,
    )
    # The wording to apply: the replacement when accepted, the modified wording when
    # accepted with changes; None otherwise ("" is a wording too: delete the passage). Set
    # by the disposition service.
    adopted_text = models.TextField(  # noqa: DJ001 - None and "" differ here
        _("übernommene Formulierung"), null=True, blank=True
    )
    applied_in = models.ForeignKey(
        GoalVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applied_proposals",
        verbose_name=_("übernommen in Fassung"),
    )
    created_at = models.DateTimeField(_("vorgeschlagen am"))
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Änderungsvorschlag")
        verbose_name_plural = _("Änderungsvorschläge")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~Q(client_key=""),
                name="proposal_client_key_once_per_author",
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="proposal_span_order"),
            models.CheckConstraint(condition=Q(paragraph__gte=1), name="proposal_paragraph_1"),
        ]
        indexes = [models.Index(fields=["circle", "goal", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.quote[:40]}"


class ProposalVote(models.Model):
    """A quick open majority vote ("Abstimmung per Handzeichen") on one proposal, opened and
    closed by the moderator. Not secret. The counts are written when it closes."""

    proposal = models.ForeignKey(
        ChangeProposal,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("Änderungsvorschlag"),
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="proposal_votes", verbose_name=_("Kreis")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("eröffnet von"),
    )
    opened_at = models.DateTimeField(_("eröffnet am"))
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)
    yes = models.PositiveIntegerField(_("Ja"), default=0)
    no = models.PositiveIntegerField(_("Nein"), default=0)
    abstain = models.PositiveIntegerField(_("Enthaltung"), default=0)

    class Meta:
        verbose_name = _("Schnellabstimmung über einen Vorschlag")
        verbose_name_plural = _("Schnellabstimmungen über Vorschläge")
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle"],
                condition=Q(closed_at__isnull=True),
                name="one_open_proposal_vote_per_room",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.proposal_id}: {self.yes}/{self.no}/{self.abstain}"


class ProposalBallot(models.Model):
    """One member's open show of hands in a quick vote; changeable while it runs."""

    class Choice(models.TextChoices):
        YES = "yes", _("Ja")
        NO = "no", _("Nein")
        ABSTAIN = "abstain", _("Enthaltung")

    vote = models.ForeignKey(
        ProposalVote,
        on_delete=models.CASCADE,
        related_name="ballots",
        verbose_name=_("Schnellabstimmung"),
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Person"),
    )
    choice = models.CharField(_("Stimme"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(_("abgegeben am"))

    class Meta:
        verbose_name = _("Handzeichen")
        verbose_name_plural = _("Handzeichen")
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter"], name="one_proposal_ballot_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.choice}"
