"""The integration concept's domain: concept, action fields, circles, goals, versions, comments.

Models hold data and constraints only. Every change goes through ``deliberation.services``;
reads through ``deliberation.selectors``. The room event log lives here too (``RoomEvent``)
because it is the lowest layer: services record events in their own transaction.
"""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Concept(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In Vorbereitung")
        IN_PROGRESS = "in_progress", _("In Beratung")
        PUBLISHED = "published", _("Veröffentlicht")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    period_start = models.PositiveSmallIntegerField(_("Laufzeit von (Jahr)"))
    period_end = models.PositiveSmallIntegerField(_("Laufzeit bis (Jahr)"))
    resolution_reference = models.CharField(
        _("Beschluss"), max_length=200, blank=True, help_text=_("z. B. Beschluss Nr. 0522")
    )
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    preamble = models.TextField(
        _("Präambel"), blank=True, help_text=_("Markdown, z. B. die Definition von Integration")
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    ideas_deadline = models.DateTimeField(_("Ideen einreichen bis"), null=True, blank=True)
    contact_email = models.EmailField(_("Kontaktadresse"), blank=True)
    owner = models.CharField(_("Verantwortliche Stelle"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Konzept")
        verbose_name_plural = _("Konzepte")
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="concept_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class ActionField(models.Model):
    concept = models.ForeignKey(
        Concept, on_delete=models.PROTECT, related_name="action_fields", verbose_name=_("Konzept")
    )
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    initial_situation = models.TextField(_("Ausgangssituation"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")
        ordering = ["concept", "order", "title"]

    def __str__(self) -> str:
        return self.title


class Circle(models.Model):
    """An expert circle or a working group of one action field; each has one live room."""

    class Kind(models.TextChoices):
        EXPERT_CIRCLE = "expert_circle", _("Expertenkreis")
        WORKING_GROUP = "working_group", _("Arbeitsgruppe")

    action_field = models.ForeignKey(
        ActionField,
        on_delete=models.PROTECT,
        related_name="circles",
        verbose_name=_("Handlungsfeld"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    is_public = models.BooleanField(
        _("öffentlich"), default=True, help_text=_("Öffentliche Räume kann jede:r mitlesen.")
    )
    # The room's event counter; taken under a row lock by deliberation.eventlog.record_event.
    event_seq = models.PositiveBigIntegerField(_("letzte Ereignisnummer"), default=0)
    focus_goal = models.ForeignKey(
        "Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ziel im Fokus"),
    )
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="circles", blank=True
    )

    class Meta:
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        ordering = ["action_field__order", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_field", "kind"], name="one_circle_of_each_kind_per_field"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderation")
        EXPERT = "expert", _("Expert:in")
        DRAFTER = "drafter", _("Redaktion")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("Person"),
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Kreis")
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("seit"), auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["circle", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "circle", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.circle}"


class Goal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        IN_DISCUSSION = "in_discussion", _("In Diskussion")
        REVISED = "revised", _("Überarbeitet")
        IN_VOTE = "in_vote", _("In Abstimmung")
        ADOPTED = "adopted", _("Beschlossen")
        REJECTED = "rejected", _("Abgelehnt")
        WITHDRAWN = "withdrawn", _("Zurückgezogen")

    action_field = models.ForeignKey(
        ActionField, on_delete=models.PROTECT, related_name="goals", verbose_name=_("Handlungsfeld")
    )
    title = models.CharField(_("Titel"), max_length=200)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "GoalVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aktuelle Fassung"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("Status geändert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")
        ordering = ["action_field__order", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class GoalStatusChange(models.Model):
    """Who moved a goal from one status to another, when and why. Never deleted."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("Ziel")
    )
    from_status = models.CharField(_("von"), max_length=20, choices=Goal.Status.choices)
    to_status = models.CharField(_("nach"), max_length=20, choices=Goal.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    reason = models.TextField(_("Begründung"), blank=True)
    at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Statuswechsel")
        verbose_name_plural = _("Statuswechsel")
        ordering = ["goal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.goal}: {self.from_status} → {self.to_status}"


class GoalVersion(models.Model):
    """One immutable wording of a goal, numbered 1, 2, … per goal."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="versions", verbose_name=_("Ziel")
    )
    number = models.PositiveIntegerField(_("Fassung Nr."))
    text = models.TextField(_("Text"), help_text=_("Markdown; Absätze durch Leerzeilen"))
    rationale = models.TextField(_("Begründung"), blank=True)
    change_note = models.TextField(_("Änderungsnotiz"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verfasst von"),
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Fassung")
        verbose_name_plural = _("Fassungen")
        ordering = ["goal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "number"], name="version_number_per_goal")
        ]

    def __str__(self) -> str:
        return f"{self.goal} (Fassung {self.number})"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.replace("\r\n", "\n").split("\n\n") if p.strip()]


class ModerationRecord(models.Model):
    """Who moderated a piece of user text last, when and why: comments in a room and public
    contributions keep the same record (their states differ)."""

    moderation_reason = models.TextField(_("Grund der Moderation"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderiert von"),
    )
    moderated_at = models.DateTimeField(_("moderiert am"), null=True, blank=True)

    # For ``save(update_fields=[..., *MODERATION_FIELDS])``.
    MODERATION_FIELDS = ("moderation_reason", "moderated_by", "moderated_at")

    class Meta:
        abstract = True

    def record_moderation(self, *, actor: Any, reason: str, at: datetime) -> None:
        self.moderation_reason = reason
        self.moderated_by = actor
        self.moderated_at = at


class Comment(ModerationRecord):
    class State(models.TextChoices):
        VISIBLE = "visible", _("sichtbar")
        HIDDEN = "hidden", _("ausgeblendet")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="comments", verbose_name=_("Kreis")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="comments", verbose_name=_("Ziel")
    )
    version = models.ForeignKey(
        GoalVersion, on_delete=models.PROTECT, related_name="comments", verbose_name=_("Fassung")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("verfasst von"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("Antwort auf"),
    )
    body = models.TextField(_("Text (Markdown)"))
    body_html = models.TextField(_("Text (HTML, bereinigt)"))
    anchor_paragraph = models.PositiveSmallIntegerField(
        _("Absatz"), null=True, blank=True, help_text=_("1 = erster Absatz der Fassung")
    )
    anchor_quote = models.CharField(_("Zitat"), max_length=500, blank=True)
    client_key = models.CharField(_("Client-Schlüssel"), max_length=64, blank=True)
    state = models.CharField(
        pgettext_lazy("comment", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.VISIBLE,
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)
    edited_at = models.DateTimeField(_("bearbeitet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kommentar")
        verbose_name_plural = _("Kommentare")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~Q(client_key=""),
                name="comment_client_key_once_per_author",
            )
        ]
        indexes = [models.Index(fields=["circle", "goal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class HandRaise(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("wartet")
        SPEAKING = "speaking", _("hat das Wort")
        DONE = "done", _("erledigt")
        LOWERED = "lowered", _("zurückgenommen")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="hands", verbose_name=_("Kreis")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Person"),
    )
    state = models.CharField(
        pgettext_lazy("hand", "Zustand"),
        max_length=10,
        choices=State.choices,
        default=State.WAITING,
    )
    raised_at = models.DateTimeField(_("gemeldet am"), auto_now_add=True)
    ended_at = models.DateTimeField(_("beendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Wortmeldung")
        verbose_name_plural = _("Wortmeldungen")
        ordering = ["circle", "raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=Q(state__in=["waiting", "speaking"]),
                name="one_open_hand_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_state_display()})"


class RoomEvent(models.Model):
    """One entry of a room's event log: the truth that the channel layer only carries.

    ``payload`` is what every role receives. ``moderator_payload``, when set, replaces it for
    moderators (e.g. the body of a hidden comment); other roles get the redacted ``payload``.
    """

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="events", verbose_name=_("Kreis")
    )
    seq = models.PositiveBigIntegerField(_("Nummer"))
    kind = models.CharField(_("Art"), max_length=50)
    payload = models.JSONField(_("Inhalt"))
    moderator_payload = models.JSONField(_("Inhalt für Moderation"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ausgelöst von"),
    )
    created_at = models.DateTimeField(_("Zeit"), auto_now_add=True)

    class Meta:
        verbose_name = _("Raumereignis")
        verbose_name_plural = _("Raumereignisse")
        ordering = ["circle", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "seq"], name="one_event_per_room_seq")
        ]

    def __str__(self) -> str:
        return f"{self.circle.slug}#{self.seq} {self.kind}"


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


# Exactly one kind of feedback per row. New kinds add a nullable foreign key and a term.
EXACTLY_ONE_FEEDBACK = Q(comment__isnull=False, idea__isnull=True) | Q(
    comment__isnull=True, idea__isnull=False
)
# A disposition also answers the public's feedback (deliberation.participation): an approved
# contribution (idea, question, opinion) or a free-text answer to a questionnaire.
DISPOSITION_TARGETS = ("comment", "idea", "contribution", "answer")
EXACTLY_ONE_DISPOSITION_TARGET = reduce(
    operator.or_,
    (
        Q(**{f"{name}__isnull": name != target for name in DISPOSITION_TARGETS})
        for target in DISPOSITION_TARGETS
    ),
)


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
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.comment_id or self.idea_id}"


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
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.comment_id or self.idea_id}"
