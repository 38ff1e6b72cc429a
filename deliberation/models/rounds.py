"""Rounds: moderated cycles of discussion, evaluation and revision, with their agenda, ratings,
ideas and the dispositions that answer each piece of feedback."""

from __future__ import annotations

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.models.concept import Circle, Goal, GoalVersion
from deliberation.models.room import Comment

# --- rounds: moderated cycles of discussion, evaluation and revision -------------------------


class Round(models.Model):
    """One moderated cycle of a circle: discussion → evaluation → revision → closed.

    At most one round per circle is not closed: the *active* round, whose phase decides what
    each role may do (``deliberation.rules``). Numbered 1, 2, … per circle."""

    class Phase(models.TextChoices):
        DISCUSSION = "discussion", _("Diskussion")
        EVALUATION = "evaluation", _("Auswertung")
        REVISION = "revision", _("Überarbeitung")
        CLOSED = "closed", _("Abgeschlossen")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("Kreis")
    )
    number = models.PositiveIntegerField(_("Runde Nr."))
    phase = models.CharField(
        _("Phase"), max_length=20, choices=Phase.choices, default=Phase.DISCUSSION
    )
    ratings_public = models.BooleanField(
        _("Einzelbewertungen sichtbar"),
        default=False,
        help_text=_("Sonst sieht der Raum nur das Stimmungsbild (Anzahl, Mittelwert, Verteilung)."),
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("laufender Tagesordnungspunkt"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eröffnet von"),
    )
    opened_at = models.DateTimeField(_("eröffnet am"))
    phase_changed_at = models.DateTimeField(_("Phase geändert am"))

    class Meta:
        verbose_name = _("Runde")
        verbose_name_plural = _("Runden")
        ordering = ["circle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "number"], name="round_number_per_circle"),
            models.UniqueConstraint(
                fields=["circle"],
                condition=~Q(phase="closed"),
                name="one_active_round_per_circle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle} – Runde {self.number} ({self.get_phase_display()})"


class AgendaItem(models.Model):
    """A goal on a round's agenda, with an optional time box. The deadline is kept by the
    server when the item starts; clients only display it."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("Runde")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("Ziel")
    )
    version = models.ForeignKey(
        GoalVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("beratene Fassung"),
        help_text=_("Die Fassung, die bei Eröffnung der Runde aktuell war."),
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"))
    time_box = models.PositiveIntegerField(
        _("Zeitrahmen (Sekunden)"), null=True, blank=True, help_text=_("leer: ohne Zeitrahmen")
    )
    started_at = models.DateTimeField(_("gestartet am"), null=True, blank=True)
    deadline = models.DateTimeField(_("endet um"), null=True, blank=True)

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "goal"], name="goal_once_per_agenda"),
            models.UniqueConstraint(fields=["round", "order"], name="agenda_order_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.goal}"


class RoundComment(models.Model):
    """Which round a comment was said in (comments said outside any round have none)."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="round_comments", verbose_name=_("Runde")
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="round_link", verbose_name=_("Kommentar")
    )

    class Meta:
        verbose_name = _("Kommentar einer Runde")
        verbose_name_plural = _("Kommentare einer Runde")

    def __str__(self) -> str:
        return f"{self.round}: {self.comment_id}"


class Rating(models.Model):
    """One person's "Stimmungsbild" on one goal in one round; changeable during discussion."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("Runde")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("Ziel")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Person"),
    )
    support = models.PositiveSmallIntegerField(
        _("Zustimmung"), help_text=_("1 = keine Zustimmung … 5 = volle Zustimmung")
    )
    needs_rework = models.BooleanField(_("muss überarbeitet werden"), default=False)
    created_at = models.DateTimeField(_("abgegeben am"))
    updated_at = models.DateTimeField(_("geändert am"))

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        ordering = ["round", "goal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "goal", "expert"], name="one_rating_per_round_goal_person"
            ),
            models.CheckConstraint(
                condition=Q(support__gte=1) & Q(support__lte=5), name="rating_support_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.goal} = {self.support}"


class Idea(models.Model):
    """A new goal proposed in a room; the moderator accepts it as a draft goal or declines it."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("vorgeschlagen")
        ACCEPTED = "accepted", _("aufgenommen")
        DECLINED = "declined", _("abgelehnt")

    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Runde"),
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("Kreis")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vorgeschlagen von"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Text"))
    rationale = models.TextField(_("Begründung"), blank=True)
    client_key = models.CharField(_("Client-Schlüssel"), max_length=64, blank=True)
    state = models.CharField(
        pgettext_lazy("idea", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.PROPOSED,
    )
    decline_reason = models.TextField(_("Grund der Ablehnung"), blank=True)
    resulting_goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_ideas",
        verbose_name=_("daraus entstandenes Ziel"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von"),
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    created_at = models.DateTimeField(_("vorgeschlagen am"))

    class Meta:
        verbose_name = _("Idee")
        verbose_name_plural = _("Ideen")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~Q(client_key=""),
                name="idea_client_key_once_per_author",
            ),
            models.CheckConstraint(
                condition=~Q(state="accepted") | Q(resulting_goal__isnull=False),
                name="accepted_idea_has_goal",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VoteReason(models.Model):
    """A reason given with "consent with concerns" or "veto" in a goal's consensus vote,
    taken over as feedback of the goal when the vote closes: the goal's next round in the
    room evaluates it like a comment (``docs/rounds.md``).

    ``motion_id`` names the vote without a foreign key: deliberation does not depend on
    voting. For a secret vote ``author`` is empty and the rows of one vote are written in
    one transaction in an order that depends on the text only, with the close time as
    ``created_at``, so nothing here ties a reason to its voter or to a cast time."""

    class Kind(models.TextChoices):
        CONCERN = "concern", _("Bedenken")
        VETO = "veto", _("Veto")

    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="vote_reasons", verbose_name=_("Ziel")
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="vote_reasons", verbose_name=_("Kreis")
    )
    motion_id = models.PositiveBigIntegerField(_("Abstimmung Nr."), db_index=True)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("Begründung"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("von (nur offene Abstimmung)"),
    )
    created_at = models.DateTimeField(_("Schluss der Abstimmung"))

    class Meta:
        verbose_name = _("Begründung aus einer Abstimmung")
        verbose_name_plural = _("Begründungen aus Abstimmungen")
        ordering = ["motion_id", "pk"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """ "Bedenken aus Abstimmung Nr. 7" / "Veto aus Abstimmung Nr. 7"."""
        if self.kind == self.Kind.VETO:
            return _("Veto aus Abstimmung Nr. %(n)s") % {"n": self.motion_id}
        return _("Bedenken aus Abstimmung Nr. %(n)s") % {"n": self.motion_id}


def exactly_one(names: tuple[str, ...]) -> Q:
    """Exactly one of the nullable foreign keys ``names`` is set."""
    return reduce(
        operator.or_,
        (Q(**{f"{name}__isnull": name != target for name in names}) for target in names),
    )


# Exactly one kind of feedback per row. New kinds add a nullable foreign key and a name.
FEEDBACK_TARGETS = ("comment", "idea", "vote_reason")
EXACTLY_ONE_FEEDBACK = exactly_one(FEEDBACK_TARGETS)
# A disposition also answers the public's feedback (participation): an approved
# contribution (idea, question, opinion) or a free-text answer to a questionnaire.
DISPOSITION_TARGETS = ("comment", "idea", "contribution", "answer", "vote_reason", "proposal")
EXACTLY_ONE_DISPOSITION_TARGET = exactly_one(DISPOSITION_TARGETS)


class Disposition(models.Model):
    """The answer to one piece of feedback: how it was taken up, why, by whom, and in which
    version. One per piece of feedback; changed, never deleted."""

    class Value(models.TextChoices):
        ACCEPTED = "accepted", _("angenommen")
        PARTIALLY_ACCEPTED = "partially_accepted", _("teilweise angenommen")
        NOT_ACCEPTED = "not_accepted", _("nicht angenommen")
        ANSWERED = "answered", _("beantwortet")

    comment = models.OneToOneField(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("Kommentar"),
    )
    idea = models.OneToOneField(
        Idea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("Idee"),
    )
    contribution = models.OneToOneField(
        "participation.Contribution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("öffentlicher Beitrag"),
    )
    answer = models.OneToOneField(
        "participation.Answer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("Antwort im Fragebogen"),
    )
    vote_reason = models.OneToOneField(
        VoteReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("Begründung aus einer Abstimmung"),
    )
    proposal = models.OneToOneField(
        "deliberation.ChangeProposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disposition",
        verbose_name=_("Änderungsvorschlag"),
    )
    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispositions",
        verbose_name=_("in Runde"),
    )
    value = models.CharField(_("Entscheidung"), max_length=20, choices=Value.choices)
    response = models.TextField(_("Antwort"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("von"),
    )
    decided_at = models.DateTimeField(_("am"))
    addressed_in = models.ForeignKey(
        GoalVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addressed_dispositions",
        verbose_name=_("umgesetzt in Fassung"),
    )

    class Meta:
        verbose_name = _("Entscheidung über eine Rückmeldung")
        verbose_name_plural = _("Entscheidungen über Rückmeldungen")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=EXACTLY_ONE_DISPOSITION_TARGET,
                name="disposition_for_exactly_one_feedback",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()}: {self.response[:40]}"


class CarriedFeedback(models.Model):
    """Feedback of earlier rounds that was still open when a round opened: the round took it
    over. Fixed at opening, so the record says what each round inherited."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="carried", verbose_name=_("Runde")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Kommentar"),
    )
    idea = models.ForeignKey(
        Idea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Idee"),
    )
    vote_reason = models.ForeignKey(
        VoteReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Begründung aus einer Abstimmung"),
    )

    class Meta:
        verbose_name = _("übernommene Rückmeldung")
        verbose_name_plural = _("übernommene Rückmeldungen")
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=EXACTLY_ONE_FEEDBACK, name="carried_feedback_is_exactly_one"
            ),
            models.UniqueConstraint(
                fields=["round", "comment"],
                condition=Q(comment__isnull=False),
                name="comment_carried_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["round", "idea"],
                condition=Q(idea__isnull=False),
                name="idea_carried_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["round", "vote_reason"],
                condition=Q(vote_reason__isnull=False),
                name="vote_reason_carried_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.comment_id or self.idea_id or self.vote_reason_id}"


class VersionFeedbackLink(models.Model):
    """A version names the feedback it takes up: the trail from a comment to the text."""

    version = models.ForeignKey(
        GoalVersion,
        on_delete=models.CASCADE,
        related_name="feedback_links",
        verbose_name=_("Fassung"),
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="version_links",
        verbose_name=_("Kommentar"),
    )
    idea = models.ForeignKey(
        Idea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="version_links",
        verbose_name=_("Idee"),
    )
    vote_reason = models.ForeignKey(
        VoteReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="version_links",
        verbose_name=_("Begründung aus einer Abstimmung"),
    )

    class Meta:
        verbose_name = _("Bezug einer Fassung")
        verbose_name_plural = _("Bezüge von Fassungen")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=EXACTLY_ONE_FEEDBACK, name="version_link_to_exactly_one_feedback"
            ),
            models.UniqueConstraint(
                fields=["version", "comment"],
                condition=Q(comment__isnull=False),
                name="version_links_comment_once",
            ),
            models.UniqueConstraint(
                fields=["version", "idea"],
                condition=Q(idea__isnull=False),
                name="version_links_idea_once",
            ),
            models.UniqueConstraint(
                fields=["version", "vote_reason"],
                condition=Q(vote_reason__isnull=False),
                name="version_links_vote_reason_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.comment_id or self.idea_id or self.vote_reason_id}"
