"""What the live rooms keep in the database besides the event log (which is the domain's).

* ``RoomTicket``: a single-use credential for scripts to open a room's WebSocket.
* ``PresenceReport``: what one server process sees of a room's presence, refreshed while it
  lives; rows of a dead process age out, so it leaves no ghost.
* ``RoomPresence``: the presence last recorded as a ``presence.changed`` event; the snapshot
  shows it, so a snapshot and the events always agree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from deliberation.models import Circle


class RoomTicket(models.Model):
    """Only the SHA-256 of the ticket is stored; the ticket itself is shown once."""

    token_hash = models.CharField(_("Prüfsumme"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Person"),
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="+", verbose_name=_("Kreis")
    )
    created_at = models.DateTimeField(_("ausgestellt am"))
    expires_at = models.DateTimeField(_("gültig bis"), db_index=True)
    used_at = models.DateTimeField(_("eingelöst am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Raum-Ticket")
        verbose_name_plural = _("Raum-Tickets")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} → {self.circle} ({self.expires_at:%H:%M:%S})"


class PresenceReport(models.Model):
    """One server process's view of a room: who is connected to it there, and when it last
    said so. ``members``: ``[{"id", "name", "role"}]``; ``viewer_ids``: signed-in viewers;
    ``anonymous``: anonymous connections."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="+", verbose_name=_("Kreis")
    )
    process = models.CharField(_("Serverprozess"), max_length=100)
    members = models.JSONField(_("Mitglieder"), default=list)
    viewer_ids = models.JSONField(_("angemeldete Zuschauende"), default=list)
    anonymous = models.PositiveIntegerField(_("anonyme Verbindungen"), default=0)
    updated_at = models.DateTimeField(_("gemeldet am"), db_index=True)

    class Meta:
        verbose_name = _("Anwesenheitsmeldung")
        verbose_name_plural = _("Anwesenheitsmeldungen")
        ordering = ["circle", "process"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "process"], name="one_presence_report_per_process"
            )
        ]

    def __str__(self) -> str:
        return f"{self.circle_id}@{self.process}"


class RoomPresence(models.Model):
    """The presence as of the last ``presence.changed`` event of the room."""

    circle = models.OneToOneField(
        Circle,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("Kreis"),
    )
    members = models.JSONField(_("Mitglieder"), default=list)
    viewers = models.PositiveIntegerField(_("Zuschauende"), default=0)
    seq = models.PositiveBigIntegerField(_("Ereignisnummer"), default=0)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")

    def __str__(self) -> str:
        return f"{self.circle_id}: {len(self.members)} + {self.viewers}"
