"""The concept and who works on it: concept, action fields, circles, memberships, goals,
their status history and numbered versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


class SpeakersOrder(models.TextChoices):
    """Who gets the floor next (points of order always come first)."""

    RAISED = "raised", _("in der Reihenfolge der Meldungen")
    FIRST_TIME = "first_time", _("Erstredner:innen zuerst")
    ALTERNATING = "alternating", _("abwechselnd Erst- und Wiederredner:innen")


class Circle(models.Model):
    """An expert circle or a working group of one action field; each has one live room."""

    SpeakersOrder = SpeakersOrder

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
    # The speakers' list (docs/protocol.md, "The speakers' list").
    speaking_time = models.PositiveIntegerField(
        _("Redezeit (Sekunden)"),
        null=True,
        blank=True,
        help_text=_("Leer: unbegrenzt."),
    )
    speakers_order = models.CharField(
        _("Reihenfolge der Redeliste"),
        max_length=20,
        choices=SpeakersOrder.choices,
        default=SpeakersOrder.RAISED,
    )
    # The video conference of the members (never shown to viewers) and the public livestream.
    video_url = models.URLField(_("Videokonferenz"), max_length=500, blank=True)
    livestream_url = models.URLField(_("Livestream"), max_length=500, blank=True)

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
