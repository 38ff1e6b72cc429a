"""Attendance in the admin: read only. Every change goes through ``attendance.services``
(the attendance page, the API, the room), so the trail of deputies stays complete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from attendance.models import Deputy, DeputyChange, MotionAttendance, RollCall, RollCallEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RollCallEntryInline(admin.TabularInline):
    model = RollCallEntry
    fields = readonly_fields = (
        "user",
        "role",
        "present",
        "from_presence",
        "marked_by",
        "marked_at",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RollCall)
class RollCallAdmin(ReadOnlyAdmin):
    list_display = ["pk", "circle", "status", "opened_at", "closed_at"]
    list_filter = ["status", "circle"]
    fields = readonly_fields = (
        "circle",
        "status",
        "opened_by",
        "opened_at",
        "closed_by",
        "closed_at",
    )
    inlines = [RollCallEntryInline]


@admin.register(Deputy)
class DeputyAdmin(ReadOnlyAdmin):
    list_display = ["member", "deputy", "circle", "registered_at", "removed_at"]
    list_filter = ["circle"]
    fields = readonly_fields = (
        "circle",
        "member",
        "deputy",
        "registered_by",
        "registered_at",
        "removed_by",
        "removed_at",
    )


@admin.register(DeputyChange)
class DeputyChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "member", "deputy", "actor", "circle"]
    list_filter = ["action", "circle"]
    fields = readonly_fields = ("circle", "member", "deputy", "action", "actor", "at")


@admin.register(MotionAttendance)
class MotionAttendanceAdmin(ReadOnlyAdmin):
    # Deliberately no DeputyBallotRight admin: which member's ballot a deputy cast is for
    # the record (open motions) and the count (secret ones), not for browsing.
    list_display = ["motion", "roll_call", "quorum_basis", "present_count"]
    fields = readonly_fields = ("motion", "roll_call", "quorum_basis", "present_count")
