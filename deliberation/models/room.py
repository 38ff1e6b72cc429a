"""What happens in a circle's live room: comments, raised hands, and the room event log
(``RoomEvent``), the lowest layer: services record events in their own transaction
(``deliberation.eventlog``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deliberation.models.concept import Circle, Goal, GoalVersion


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
    # Up to 64 characters of the paragraph before and after the quote, to find it again in
    # a later version (``deliberation.anchoring``).
    anchor_prefix = models.CharField(_("Text davor"), max_length=64, blank=True)
    anchor_suffix = models.CharField(_("Text danach"), max_length=64, blank=True)
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
    # A point of order goes to the top of the queue.
    point_of_order = models.BooleanField(_("Geschäftsordnungsantrag"), default=False)
    # No turn yet in the room's scope (round, goal in focus) when the hand was raised:
    # ``deliberation.speakers`` may let first-time speakers go first.
    first_time = models.BooleanField(_("Erstredner:in"), default=False)
    # The turn: when the floor was given, the time it had (seconds, None = unlimited), and
    # what the room was on then (the turn log of the round report; who counts as a
    # first-time speaker).
    started_at = models.DateTimeField(_("Wort erteilt am"), null=True, blank=True)
    time_limit = models.PositiveIntegerField(_("Redezeit (Sekunden)"), null=True, blank=True)
    round = models.ForeignKey(
        "deliberation.Round",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="turns",
        verbose_name=_("Runde"),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ziel im Fokus"),
    )

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


class Pulse(models.Model):
    """A temperature check ("Blitzlicht"): a quick question, answered 👍 / 🤔 / 👎 while it
    runs. Not a decision: who answered what is kept only while it runs (``PulseAnswer``, to
    let people change their answer); once closed only the question and the counts stay."""

    class Answer(models.TextChoices):
        AGREE = "agree", _("Daumen hoch")
        UNSURE = "unsure", _("unsicher")
        DISAGREE = "disagree", _("Daumen runter")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="pulses", verbose_name=_("Kreis")
    )
    question = models.CharField(_("Frage"), max_length=300)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gefragt von"),
    )
    asked_at = models.DateTimeField(_("gefragt am"))
    ends_at = models.DateTimeField(_("endet am"))
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)
    # The final counts, written when it is closed (while it runs they are counted).
    agree = models.PositiveIntegerField(_("Daumen hoch"), default=0)
    unsure = models.PositiveIntegerField(_("unsicher"), default=0)
    disagree = models.PositiveIntegerField(_("Daumen runter"), default=0)

    class Meta:
        verbose_name = _("Blitzlicht")
        verbose_name_plural = _("Blitzlichter")
        ordering = ["circle", "pk"]

    def __str__(self) -> str:
        return self.question


class PulseAnswer(models.Model):
    """One person's answer while a temperature check runs; deleted when it is closed."""

    pulse = models.ForeignKey(
        Pulse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("Blitzlicht")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Person"),
    )
    answer = models.CharField(_("Antwort"), max_length=10, choices=Pulse.Answer.choices)

    class Meta:
        verbose_name = _("Antwort im Blitzlicht")
        verbose_name_plural = _("Antworten im Blitzlicht")
        constraints = [
            models.UniqueConstraint(fields=["pulse", "user"], name="one_pulse_answer_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.pulse_id}: {self.answer}"


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
