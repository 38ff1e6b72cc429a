"""API tokens in the admin: who holds which (by prefix), since and until when, last used.
The secret is never stored, so it cannot be shown; staff can revoke (delete) a token."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at")
    list_filter = ("expires_at",)
    search_fields = ("prefix", "user__username", "name")
    fields = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tokens are issued to their owner, who alone sees the secret

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
