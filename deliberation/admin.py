"""Staff set up a concept here without touching code. Structure (concept, fields, circles,
memberships, goals, versions, status, moderation) goes through the same services as every
other door, so the rooms hear about every change made here: the admin is one more thin door.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from deliberation import circles, services
from deliberation.models import (
    ActionField,
    AgendaItem,
    CarriedFeedback,
    Circle,
    Comment,
    Concept,
    Disposition,
    Goal,
    GoalStatusChange,
    GoalVersion,
    HandRaise,
    Idea,
    Membership,
    Rating,
    RoomEvent,
    Round,
    RoundComment,
    VersionFeedbackLink,
)
from kernel.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """The record is never edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionFieldInline(admin.TabularInline):
    model = ActionField
    extra = 0
    fields = ["order", "title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["title", "period", "status", "ideas_deadline"]
    list_filter = ["status"]
    search_fields = ["title", "resolution_reference"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ActionFieldInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CircleInline(admin.TabularInline):
    model = Circle
    extra = 0
    fields = ["kind", "title", "slug", "is_public"]
    show_change_link = True


@admin.register(ActionField)
class ActionFieldAdmin(admin.ModelAdmin):
    list_display = ["title", "concept", "order", "slug"]
    list_filter = ["concept"]
    list_editable = ["order"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CircleInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    """Saved by ``CircleAdmin.save_formset`` through the membership services."""

    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


def _save_memberships(request: HttpRequest, formset: Any) -> None:
    """A circle's membership rows through the services: each addition, role change and
    removal is one service call that records its room event (no raw save)."""
    formset.save(commit=False)
    for membership in formset.deleted_objects:
        services.membership_remove(actor=request.user, membership=membership.pk)
    for membership, changed in formset.changed_objects:
        if "user" in changed:
            # Another person in the row: the old membership ends, a new one begins.
            services.membership_remove(actor=request.user, membership=membership.pk)
            services.membership_add(
                actor=request.user,
                user=membership.user,
                circle=membership.circle,
                role=membership.role,
            )
        elif "role" in changed:
            services.membership_change_role(
                actor=request.user, membership=membership.pk, role=membership.role
            )
    for membership in formset.new_objects:
        services.membership_add(
            actor=request.user, user=membership.user, circle=membership.circle, role=membership.role
        )


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["title", "action_field", "kind", "is_public", "event_seq"]
    list_filter = ["kind", "is_public", "action_field__concept"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # The session's settings are the moderators' to change, in the room (room.configure).
    readonly_fields = ["event_seq", "focus_goal", *circles.SESSION_FIELDS]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Rounds, motions and links depend on these once the circle exists.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "action_field", "kind", "slug"]

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.prepopulated_fields if obj is None else {}

    def save_model(self, request: HttpRequest, obj: Circle, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            try:
                circles.circle_update(
                    actor=request.user,
                    circle=obj,
                    title=data.get("title", obj.title),
                    is_public=data.get("is_public", obj.is_public),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            obj.refresh_from_db()
            return
        circle = circles.circle_create(
            actor=request.user,
            action_field=data["action_field"],
            kind=data["kind"],
            title=data["title"],
            slug=data["slug"],
            is_public=data.get("is_public", True),
        )
        obj.pk = circle.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is Membership:
            _save_memberships(request, formset)
        else:
            super().save_formset(request, form, formset, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Every write goes through the membership services, so the room hears of it and the
    person's open sockets follow at once (``docs/protocol.md``, close code 4410)."""

    list_display = ["user", "circle", "role", "created_at"]
    list_filter = ["role", "circle"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "circle__title"]
    autocomplete_fields = ["user", "circle"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A membership changes its role only; another person or circle is a new membership.
        return ["user", "circle"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            saved = services.membership_change_role(
                actor=request.user, membership=obj.pk, role=obj.role
            )
        else:
            saved = services.membership_add(
                actor=request.user, user=obj.user, circle=obj.circle, role=obj.role
            )
        obj.pk = saved.pk
        obj.created_at = saved.created_at

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(actor=request.user, membership=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.membership_remove(actor=request.user, membership=pk)


class GoalAddForm(forms.ModelForm):
    text = forms.CharField(
        label=_("Text der ersten Fassung"),
        widget=forms.Textarea,
        help_text=_("Markdown; Absätze durch Leerzeilen"),
    )
    rationale = forms.CharField(label=_("Begründung"), widget=forms.Textarea, required=False)

    class Meta:
        model = Goal
        fields = ["action_field", "title", "order"]


class GoalVersionInline(admin.TabularInline):
    model = GoalVersion
    extra = 0
    fields = ["number", "text", "change_note", "author", "created_at"]
    readonly_fields = ["number", "text", "change_note", "author", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class GoalStatusChangeInline(admin.TabularInline):
    model = GoalStatusChange
    extra = 0
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = ["at", "from_status", "to_status", "actor", "reason"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _transition_action(to_status: str, label: Any) -> Any:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for goal in queryset:
            try:
                services.goal_transition(actor=request.user, goal=goal, to_status=to_status)
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{goal}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request, _("%(n)d Ziel(e) geändert.") % {"n": done}, messages.SUCCESS
            )

    action.__name__ = f"to_{to_status}"
    return admin.action(description=label)(action)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "action_field", "order", "status", "current_version"]
    list_filter = ["status", "action_field"]
    search_fields = ["title"]
    readonly_fields = ["status", "current_version", "status_changed_at", "created_by"]
    inlines = [GoalVersionInline, GoalStatusChangeInline]
    actions = [
        _transition_action(Goal.Status.IN_DISCUSSION, _("Zur Diskussion stellen")),
        _transition_action(Goal.Status.REVISED, _("Als überarbeitet markieren")),
        _transition_action(Goal.Status.IN_VOTE, _("Zur Abstimmung stellen")),
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = GoalAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else [*self.readonly_fields, "action_field"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Goal, form: Any, change: bool) -> None:
        if change:
            # title and order only; status and versions have their own services
            try:
                services.goal_update(
                    actor=request.user,
                    goal=obj,
                    title=form.cleaned_data["title"],
                    order=form.cleaned_data["order"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            obj.refresh_from_db()
            return
        goal = services.goal_create(
            actor=request.user,
            action_field=form.cleaned_data["action_field"],
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            rationale=form.cleaned_data.get("rationale", ""),
            order=form.cleaned_data.get("order"),
        )
        obj.pk = goal.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GoalVersion)
class GoalVersionAdmin(admin.ModelAdmin):
    """New versions are published through the service; existing ones are immutable."""

    list_display = ["goal", "number", "author", "created_at"]
    list_filter = ["goal__action_field"]
    search_fields = ["goal__title", "text"]
    fields = ["goal", "text", "rationale", "change_note"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["goal", "number", "text", "rationale", "change_note", "author", "created_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GoalVersion, form: Any, change: bool) -> None:
        version = services.goal_version_create(
            actor=request.user,
            goal=form.cleaned_data["goal"],
            text=form.cleaned_data["text"],
            rationale=form.cleaned_data.get("rationale", ""),
            change_note=form.cleaned_data.get("change_note", ""),
        )
        obj.pk = version.pk
        obj.refresh_from_db()


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "circle", "goal", "author", "state", "created_at"]
    list_filter = ["state", "circle"]
    search_fields = ["body", "author__username"]
    actions = ["hide", "unhide"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # actions need change permission; the form itself stays read-only (no editable fields)
        return bool(request.user.is_staff)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in Comment._meta.fields]

    def _set(self, request: HttpRequest, queryset: QuerySet, hidden: bool) -> None:
        for comment in queryset:
            try:
                services.comment_set_visibility(
                    actor=request.user,
                    circle=comment.circle,
                    comment_id=comment.pk,
                    hidden=hidden,
                    reason=str(_("durch die Verwaltung")),
                )
            except DomainError as exc:
                self.message_user(request, f"{comment}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Ausblenden (Moderation des Kreises)"))
    def hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set(request, queryset, True)

    @admin.action(description=_("Wieder einblenden (Moderation des Kreises)"))
    def unhide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set(request, queryset, False)


@admin.register(HandRaise)
class HandRaiseAdmin(ReadOnlyAdmin):
    list_display = ["user", "circle", "state", "raised_at", "ended_at"]
    list_filter = ["state", "circle"]


@admin.register(RoomEvent)
class RoomEventAdmin(ReadOnlyAdmin):
    list_display = ["circle", "seq", "kind", "actor", "created_at"]
    list_filter = ["kind", "circle"]


@admin.register(GoalStatusChange)
class GoalStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["goal", "from_status", "to_status", "actor", "reason", "at"]
    list_filter = ["to_status"]


# --- rounds: the record of each round, read-only (moderators steer rounds in the room) -----


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "goal", "version", "time_box", "started_at", "deadline"]
    readonly_fields = ["order", "goal", "version", "time_box", "started_at", "deadline"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["circle", "number", "phase", "ratings_public", "opened_by", "opened_at"]
    list_filter = ["phase", "circle"]
    inlines = [AgendaItemInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["round", "goal", "expert", "support", "needs_rework", "updated_at"]
    list_filter = ["round__circle", "needs_rework"]


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["title", "circle", "round", "author", "state", "created_at"]
    list_filter = ["state", "circle"]
    search_fields = ["title", "text"]


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "round", "value", "decided_by", "decided_at", "addressed_in"]
    list_filter = ["value", "round__circle"]
    search_fields = ["response"]


@admin.register(RoundComment)
class RoundCommentAdmin(ReadOnlyAdmin):
    list_display = ["round", "comment"]


@admin.register(CarriedFeedback)
class CarriedFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["round", "comment", "idea"]


@admin.register(VersionFeedbackLink)
class VersionFeedbackLinkAdmin(ReadOnlyAdmin):
    list_display = ["version", "comment", "idea"]


# --- accounts: deactivation reaches open sockets (issue 12) ----------------------------------

UserModel = get_user_model()
if admin.site.is_registered(UserModel):
    admin.site.unregister(UserModel)


@admin.register(UserModel)
class AccountAdmin(UserAdmin):
    """Django's user admin, except that (de)activating goes through
    ``services.account_set_active``: the rooms of the person hear of it and close the
    account's open sockets at once."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data:
            wanted = obj.is_active
            obj.is_active = not wanted  # the rest of the form as Django saves it ...
            super().save_model(request, obj, form, change)
            # ... and the activation through its one writer.
            services.account_set_active(actor=request.user, user=obj, is_active=wanted)
            return
        super().save_model(request, obj, form, change)
