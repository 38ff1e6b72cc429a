"""What a person is told: the in-app list and, per kind, whether it also comes by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("Eine Beratungsrunde wurde eröffnet")
    MOTION_OPENED = "motion_opened", _("Eine Abstimmung wurde eröffnet")
    MOTION_CLOSING = "motion_closing", _("Eine Abstimmung endet in 24 Stunden")
    DISPOSITION = "disposition", _("Über Ihren Beitrag wurde entschieden")
    INVITATION = "invitation", _("Sie wurden in einen Kreis aufgenommen")


class Notification(models.Model):
    """One entry of a person's list. ``key`` names the occasion (``motion.42.closing``) so a
    task that runs twice, or a reminder job that runs every few minutes, tells it once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("Empfänger:in"),
    )
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("Anlass"), max_length=100)
    title = models.CharField(_("Titel"), max_length=300)
    body = models.TextField(_("Text"), blank=True)
    url = models.CharField(_("Adresse"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("erstellt"), auto_now_add=True)
    read_at = models.DateTimeField(_("gelesen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Whether ``kind`` also comes by e-mail; without a row, it does."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("Person"),
    )
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    email = models.BooleanField(_("per E-Mail"), default=True)

    class Meta:
        verbose_name = _("Benachrichtigungseinstellung")
        verbose_name_plural = _("Benachrichtigungseinstellungen")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
