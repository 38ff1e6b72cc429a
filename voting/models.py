"""The consensus vote: motions, their eligible voters, ballots, results and the concept.

Models hold data and constraints only; every write goes through ``voting.services``. The
integrity rules that matter most live in the database itself: one ballot per voter and
motion, one open motion per goal, one result per motion, one concept entry per goal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deliberation.models import Circle, Goal, GoalVersion
from voting import tally

# Where a goal goes when its motion is not adopted: back to the drafters, or out.
REJECTED_GOAL_STATUSES = [
    (Goal.Status.REVISED.value, Goal.Status.REVISED.label),
    (Goal.Status.REJECTED.value, Goal.Status.REJECTED.label),
]


class Motion(models.Model):
    """A vote on one goal, on a fixed version (or, for ``resistance``, on alternatives).

    ``rule`` is the immutable snapshot of the rule fixed at opening; it is what the count and
    the record use. ``secret``, ``changeable`` and ``deadline`` repeat parts of it as columns
    for queries and redaction.
    """

    class Method(models.TextChoices):
        CONSENT = tally.CONSENT, _("Konsent")
        MAJORITY = tally.MAJORITY, _("Mehrheit")
        RESISTANCE = tally.RESISTANCE, _("Widerstandsabfrage")

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        CLOSED = "closed", _("geschlossen")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="motions", verbose_name=_("Kreis")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="motions", verbose_name=_("Ziel")
    )
    version = models.ForeignKey(
        GoalVersion,
        on_delete=models.PROTECT,
        related_name="motions",
        verbose_name=_("Fassung"),
        help_text=_("Über diese Fassung wird abgestimmt (bei Alternativen: die Ausgangsfassung)."),
    )
    method = models.CharField(_("Verfahren"), max_length=20, choices=Method.choices)
    rule = models.JSONField(_("Regel"))
    secret = models.BooleanField(_("geheim"))
    changeable = models.BooleanField(_("änderbar bis zum Schluss"))
    deadline = models.DateTimeField(_("Frist"), null=True, blank=True)
    rejected_goal_status = models.CharField(
        _("Ziel bei Ablehnung"),
        max_length=20,
        choices=REJECTED_GOAL_STATUSES,
        default=Goal.Status.REVISED,
        help_text=_("Gilt, wenn die Frist abläuft; beim Schließen kann die Moderation wählen."),
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Secret ballots are found again by HMAC(SECRET_KEY, salt, motion, voter); the salt is
    # erased at close, after which no one, not even the database, can link a ballot to a voter.
    voter_key_salt = models.CharField(_("Schlüsselsalz"), max_length=64, blank=True)
    # What the motion committed to at opening (rule, exact text or alternatives, electorate:
    # ``voting.tally.commitment``) and its SHA-256, published at once and repeated in the
    # record. Empty for motions opened before commitments existed.
    commitment = models.JSONField(_("Festlegung bei der Eröffnung"), null=True, blank=True)
    fingerprint = models.CharField(_("Fingerabdruck (SHA-256)"), max_length=64, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("eröffnet von"),
    )
    opened_at = models.DateTimeField(_("eröffnet am"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geschlossen von"),
    )
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Abstimmung")
        verbose_name_plural = _("Abstimmungen")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal"], condition=Q(status="open"), name="one_open_motion_per_goal"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="motion_closed_iff_closed_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.goal}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class MotionAlternative(models.Model):
    """One wording of the goal in a resistance vote, labelled A, B, C, … in order."""

    motion = models.ForeignKey(
        Motion, on_delete=models.CASCADE, related_name="alternatives", verbose_name=_("Abstimmung")
    )
    label = models.CharField(_("Kennung"), max_length=4)
    text = models.TextField(_("Text"))
    order = models.PositiveSmallIntegerField(_("Reihenfolge"))

    class Meta:
        verbose_name = _("Alternative")
        verbose_name_plural = _("Alternativen")
        ordering = ["motion", "order"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "label"], name="alternative_label_once"),
            models.UniqueConstraint(fields=["motion", "order"], name="alternative_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:40]}"


class EligibleVoter(models.Model):
    """The snapshot of who may vote, taken at opening; later membership changes don't count."""

    motion = models.ForeignKey(
        Motion, on_delete=models.CASCADE, related_name="eligible", verbose_name=_("Abstimmung")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Person"),
    )
    # Set at close (for secret motions too, from the voter keys before the salt is erased):
    # who took part is published, what they chose never. None while the motion is open.
    took_part = models.BooleanField(_("hat teilgenommen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stimmberechtigte:r")
        verbose_name_plural = _("Stimmberechtigte")
        constraints = [
            models.UniqueConstraint(fields=["motion", "user"], name="eligible_once_per_motion")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Ballot(models.Model):
    """One voter's ballot on one motion. The database allows exactly one per voter key.

    A secret ballot has no ``voter``, no timestamps and a random primary key, so neither
    its row nor its neighbours tell who cast it or when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("Abstimmung")
    )
    voter_key = models.CharField(_("Stimmschlüssel"), max_length=64)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Person (nur offene Abstimmung)"),
    )
    choice = models.CharField(_("Stimme"), max_length=30, blank=True)
    resistances = models.JSONField(_("Widerstände"), null=True, blank=True)
    reason = models.TextField(_("Begründung"), blank=True)
    cast_at = models.DateTimeField(_("abgegeben am"), null=True, blank=True)
    changed_at = models.DateTimeField(_("geändert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stimmzettel")
        verbose_name_plural = _("Stimmzettel")
        constraints = [
            models.UniqueConstraint(fields=["motion", "voter_key"], name="one_ballot_per_voter"),
            models.UniqueConstraint(
                fields=["motion", "voter"],
                condition=Q(voter__isnull=False),
                name="one_open_ballot_per_person",
            ),
            models.CheckConstraint(
                condition=(~Q(choice="") & Q(resistances__isnull=True))
                | (Q(choice="") & Q(resistances__isnull=False)),
                name="ballot_choice_xor_resistances",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Stimmzettel"))


class Result(models.Model):
    """The immutable outcome of a closed motion with its canonical record and digest."""

    class Outcome(models.TextChoices):
        ADOPTED = tally.ADOPTED, _("angenommen")
        REJECTED = tally.REJECTED, _("abgelehnt")
        NO_QUORUM = tally.NO_QUORUM, _("Quorum verfehlt")

    motion = models.OneToOneField(
        Motion, on_delete=models.PROTECT, related_name="result", verbose_name=_("Abstimmung")
    )
    rule = models.JSONField(_("Regel"))
    eligible_count = models.PositiveIntegerField(_("Stimmberechtigte"))
    participant_count = models.PositiveIntegerField(_("abgegebene Stimmen"))
    counts = models.JSONField(_("Stimmen je Möglichkeit"))
    quorum_met = models.BooleanField(_("Quorum erreicht"))
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices)
    winner = models.ForeignKey(
        MotionAlternative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gewählte Alternative"),
    )
    goal_status = models.CharField(
        _("Status des Ziels danach"), max_length=20, choices=Goal.Status.choices
    )
    closed_at = models.DateTimeField(_("geschlossen am"))
    record = models.JSONField(_("Protokoll (kanonisch)"))
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Ergebnis")
        verbose_name_plural = _("Ergebnisse")
        ordering = ["-closed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant_count__lte=models.F("eligible_count")),
                name="result_participants_within_eligible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.motion}: {self.get_outcome_display()}"

    @property
    def participation_percent(self) -> float:
        return 100 * self.participant_count / self.eligible_count if self.eligible_count else 0.0


class ConceptEntry(models.Model):
    """An adopted goal in the concept: exactly the version the circle voted on."""

    goal = models.OneToOneField(
        Goal, on_delete=models.PROTECT, related_name="concept_entry", verbose_name=_("Ziel")
    )
    version = models.ForeignKey(
        GoalVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("Fassung")
    )
    motion = models.OneToOneField(
        Motion, on_delete=models.PROTECT, related_name="concept_entry", verbose_name=_("Abstimmung")
    )
    adopted_at = models.DateTimeField(_("beschlossen am"))

    class Meta:
        verbose_name = _("Eintrag im Konzept")
        verbose_name_plural = _("Einträge im Konzept")
        ordering = ["goal__action_field__order", "goal__order", "goal__pk"]

    def __str__(self) -> str:
        return str(self.goal)
