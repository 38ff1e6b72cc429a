"""Participation in the admin: the record, read-only. Questionnaires are built and evaluated
on their pages, contributions moderated in the queue; the admin's actions call the same
services, so it is one more thin door."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from deliberation.admin import ReadOnlyAdmin
from kernel.errors import DomainError
from participation import services
from participation.models import (
    Answer,
    Contribution,
    ContributionReport,
    Invitation,
    Question,
    Questionnaire,
    Response,
)


def _each(request: HttpRequest, items: QuerySet[Any], call: Any, done: str) -> None:
    count = 0
    for item in items:
        try:
            call(item)
        except DomainError as exc:
            messages.error(request, f"{item}: {exc.message}")
        else:
            count += 1
    if count:
        messages.success(request, done % {"n": count})


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "text", "required", "goal"]
    readonly_fields = ["order", "kind", "text", "required", "goal"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["title", "concept", "action_field", "distribution", "status", "deadline"]
    list_filter = ["status", "distribution", "concept"]
    search_fields = ["title"]
    inlines = [QuestionInline]
    actions = ["close"]

    @admin.action(description=_("Ausgewählte Fragebögen schließen"))
    def close(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        _each(
            request,
            queryset.filter(status=Questionnaire.Status.OPEN),
            lambda q: services.questionnaire_close(actor=request.user, questionnaire_id=q.pk),
            str(_("%(n)s Fragebogen/Fragebögen geschlossen.")),
        )


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "questionnaire", "order", "kind", "required", "goal"]
    list_filter = ["kind"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "questionnaire", "created_at"]
    search_fields = ["email"]
    exclude = ["token"]  # the invitee's credential stays off the screen


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["questionnaire", "state", "receipt", "submitted_at"]
    list_filter = ["state", "questionnaire"]
    search_fields = ["receipt"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "scale", "text", "goal"]
    search_fields = ["text"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "action_field", "author", "state", "goal", "created_at"]
    list_filter = ["state", "kind", "action_field"]
    search_fields = ["title", "body"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Ausgewählte Beiträge freigeben"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Contribution]) -> None:
        _each(
            request,
            queryset,
            lambda c: services.contribution_moderate(
                actor=request.user, contribution_id=c.pk, decision="approve"
            ),
            str(_("%(n)s Beitrag/Beiträge freigegeben.")),
        )

    @admin.action(description=_("Ausgewählte Beiträge nicht freigeben"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Contribution]) -> None:
        _each(
            request,
            queryset,
            lambda c: services.contribution_moderate(
                actor=request.user,
                contribution_id=c.pk,
                decision="reject",
                reason=str(_("Entspricht nicht den Regeln für Beiträge.")),
            ),
            str(_("%(n)s Beitrag/Beiträge nicht freigegeben.")),
        )


@admin.register(ContributionReport)
class ContributionReportAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "reason", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
