"""Attendance and deputies (docs/voting.md, "Attendance and deputies").

* ``RollCall`` / ``RollCallEntry``: who of a circle's members is present at a session,
  pre-filled from the room's presence and confirmed by the moderator.
* ``Deputy``: one row per registration of a deputy for a member (an expert); removing or
  replacing it stamps the row, nothing is ever deleted. ``DeputyChange`` is the append-only
  trail of every registration and removal.
* ``MotionAttendance`` and ``DeputyBallotRight``: what a motion took from attendance at its
  opening (the roll call it uses, the members present, which absent member a deputy may cast
  for). They live here, not in ``voting``, and point at ``voting.Motion`` by name: voting
  asks this app, this app never imports voting.

Models hold data and constraints only; every write goes through ``attendance.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deliberation.models import Circle


class RollCall(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        CLOSED = "closed", _("abgeschlossen")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="roll_calls", verbose_name=_("Kreis")
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
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
        verbose_name=_("abgeschlossen von"),
    )
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anwesenheitsfeststellung")
        verbose_name_plural = _("Anwesenheitsfeststellungen")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle"], condition=Q(status="open"), name="one_open_roll_call_per_circle"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="roll_call_closed_iff_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle}: {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RollCallEntry(models.Model):
    """One member in one roll call. ``marked_by`` is empty while the entry is as pre-filled
    from the room's presence; the moderator's confirmation or correction stamps it."""

    roll_call = models.ForeignKey(
        RollCall, on_delete=models.PROTECT, related_name="entries", verbose_name=_("Feststellung")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Mitglied"),
    )
    role = models.CharField(_("Rolle"), max_length=20)
    present = models.BooleanField(_("anwesend"))
    from_presence = models.BooleanField(_("im Raum gesehen"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bestätigt von"),
    )
    marked_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anwesenheit eines Mitglieds")
        verbose_name_plural = _("Anwesenheit der Mitglieder")
        ordering = ["roll_call", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "user"], name="roll_call_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {'+' if self.present else '-'}"


class Deputy(models.Model):
    """A deputy for one member of a circle, from ``registered_at`` until ``removed_at``."""

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="deputies", verbose_name=_("Kreis")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vertretenes Mitglied"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Vertretung"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("eingetragen von"),
    )
    registered_at = models.DateTimeField(_("eingetragen am"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ausgetragen von"),
    )
    removed_at = models.DateTimeField(_("ausgetragen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Vertretung")
        verbose_name_plural = _("Vertretungen")
        ordering = ["circle", "member_id", "-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "member"],
                condition=Q(removed_at__isnull=True),
                name="one_active_deputy_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(member=models.F("deputy")), name="deputy_is_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.member} ({self.circle})"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class DeputyChange(models.Model):
    """The append-only trail: one row per registration or removal, never changed."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("eingetragen")
        REMOVED = "removed", _("ausgetragen")

    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="+", verbose_name=_("Kreis")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vertretenes Mitglied"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Vertretung"),
    )
    action = models.CharField(_("Änderung"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("durch"),
    )
    at = models.DateTimeField(_("am"))

    class Meta:
        verbose_name = _("Änderung einer Vertretung")
        verbose_name_plural = _("Änderungen der Vertretungen")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.deputy} → {self.member}"


class MotionAttendance(models.Model):
    """The roll call a motion uses, fixed at its opening, with the members present then."""

    class QuorumBasis(models.TextChoices):
        ELIGIBLE = "eligible", _("alle Stimmberechtigten")
        PRESENT = "present", _("die anwesenden Stimmberechtigten")

    motion = models.OneToOneField(
        "voting.Motion",
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("Abstimmung"),
    )
    roll_call = models.ForeignKey(
        RollCall, on_delete=models.PROTECT, related_name="motions", verbose_name=_("Feststellung")
    )
    quorum_basis = models.CharField(
        _("Quorum bezogen auf"), max_length=10, choices=QuorumBasis.choices
    )
    present_count = models.PositiveIntegerField(_("anwesende Stimmberechtigte"))

    class Meta:
        verbose_name = _("Anwesenheit einer Abstimmung")
        verbose_name_plural = _("Anwesenheit der Abstimmungen")

    def __str__(self) -> str:
        return f"{self.motion_id}: {self.present_count}"


class DeputyBallotRight(models.Model):
    """At opening: ``deputy`` may cast the ballot of ``member``, who was absent. ``used``
    says the member's ballot was cast by the deputy (so the member cannot cast it too); it
    never says what the ballot was."""

    motion = models.ForeignKey(
        "voting.Motion",
        on_delete=models.PROTECT,
        related_name="deputy_rights",
        verbose_name=_("Abstimmung"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vertretenes Mitglied"),
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Vertretung"),
    )
    used = models.BooleanField(_("von der Vertretung abgestimmt"), default=False)

    class Meta:
        verbose_name = _("Stimmrecht einer Vertretung")
        verbose_name_plural = _("Stimmrechte der Vertretungen")
        ordering = ["motion", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="one_deputy_right_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.member} ({self.motion_id})"
