"""Invitations to a circle: a single-use, expiring link whose token is stored only as its
SHA-256 (a copy of the table opens no circle)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberation.models import Circle, Membership

# Moderators invite the people who work in a circle; moderation itself is given by staff.
INVITABLE_ROLES = (Membership.Role.EXPERT, Membership.Role.DRAFTER)


class Invitation(models.Model):
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("Kreis")
    )
    email = models.EmailField(_("E-Mail-Adresse"), max_length=254)
    role = models.CharField(
        _("Rolle"),
        max_length=20,
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eingeladen von"),
    )
    created_at = models.DateTimeField(_("erstellt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gültig bis"))
    accepted_at = models.DateTimeField(_("angenommen"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angenommen von"),
    )
    revoked_at = models.DateTimeField(_("zurückgezogen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()} – {self.circle}"

    @property
    def is_open(self) -> bool:
        """Neither used, withdrawn nor expired: the link still works."""
        if self.accepted_at is not None or self.revoked_at is not None:
            return False
        return self.expires_at > timezone.now()
