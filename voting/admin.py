"""The vote in the admin: read only, and blind to ballots.

Motions, results and concept entries can be inspected, never edited or deleted (every change
goes through ``voting.services``). Ballots are not registered at all: an open motion's tally
stays hidden until close, and a secret ballot's choice must not meet anyone's name — here
neither can happen. Counts appear only on results, which are public anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from voting import selectors
from voting.models import ConceptEntry, Motion, Result


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "goal", "circle", "method", "secret", "status", "turnout", "deadline"]
    list_filter = ["status", "method", "secret", "circle"]
    search_fields = ["goal__title"]
    # Deliberately without voter_key_salt: the salt links secret ballots to voters.
    fields = readonly_fields = (
        "circle",
        "goal",
        "version",
        "method",
        "rule",
        "secret",
        "changeable",
        "deadline",
        "rejected_goal_status",
        "status",
        "opened_by",
        "opened_at",
        "closed_by",
        "closed_at",
        "turnout",
        "page",
    )

    @admin.display(description=_("Beteiligung"))
    def turnout(self, motion: Motion) -> str:
        return f"{selectors.motion_turnout(motion)} / {selectors.motion_eligible_count(motion)}"

    @admin.display(description=_("Seite"))
    def page(self, motion: Motion) -> str:
        from django.urls import reverse

        return format_html(
            '<a href="{}">{}</a>', reverse("voting:motion", args=[motion.pk]), _("öffnen")
        )


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = [
        "motion",
        "outcome",
        "participant_count",
        "eligible_count",
        "quorum_met",
        "closed_at",
    ]
    list_filter = ["outcome", "quorum_met"]
    fields = readonly_fields = (
        "motion",
        "outcome",
        "quorum_met",
        "eligible_count",
        "participant_count",
        "counts",
        "winner",
        "goal_status",
        "rule",
        "closed_at",
        "digest",
    )


@admin.register(ConceptEntry)
class ConceptEntryAdmin(ReadOnlyAdmin):
    list_display = ["goal", "version", "motion", "adopted_at"]
    list_filter = ["goal__action_field"]
