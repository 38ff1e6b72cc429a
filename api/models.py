"""API tokens, stored hashed: the database keeps a short prefix (to recognise a token in a
list) and the SHA-256 digest of the secret, never the secret itself. The secret is shown once,
when the token is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("Konto"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=100, blank=True)
    prefix = models.CharField(_("Anfang"), max_length=8, db_index=True)
    # A token is 160 random bits, so a fast digest is enough (nothing to brute-force).
    digest = models.CharField(_("Prüfsumme"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("erstellt am"), default=timezone.now)
    expires_at = models.DateTimeField(_("gültig bis"), db_index=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
