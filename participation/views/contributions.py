"""Pages: public ideas, questions and opinions, one's own contributions, moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation import selectors as deliberation_selectors
from deliberation.models import Goal
from kernel.errors import DomainError
from kernel.permissions import can
from participation import selectors, services
from participation.access import access_contribution
from participation.forms import (
    GoalLinkForm,
    IdeaForm,
    IdeasDeadlineForm,
    ModerationForm,
    OpinionForm,
    ReportForm,
)
from participation.models import (
    Contribution,
)
from participation.views._common import _concept, _deadline_state, _form_error
from participation.web import client_address


@require_GET
def ideas(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    fields = list(concept.action_fields.order_by("order", "pk"))
    chosen = next((f for f in fields if f.slug == request.GET.get("feld")), None)
    return render(
        request,
        "participation/ideas.html",
        {
            "concept": concept,
            "fields": fields,
            "chosen": chosen,
            "ideas": selectors.public_contributions(concept, kinds=["idea"], action_field=chosen),
            "nav": "participation",
            **_deadline_state(concept),
        },
    )


@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    state = _deadline_state(concept)
    fields = concept.action_fields.order_by("order", "pk")
    initial = {}
    chosen = fields.filter(slug=request.GET.get("feld", "")).first()
    if chosen is not None:
        initial["action_field"] = chosen.pk
    form = IdeaForm(request.POST or None, fields=fields, initial=initial)
    status = 200
    if request.method == "POST" and state["ideas_closed"]:
        status = 409  # the page says so, with the contact address
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                contribution = services.contribution_submit(
                    actor=request.user,
                    concept=concept,
                    kind=Contribution.Kind.IDEA,
                    action_field=data["action_field"],
                    title=data["title"],
                    body=data["body"],
                    website=data["website"],
                )
            except DomainError as exc:
                if exc.code == "conflict":  # the deadline passed while the form was open
                    state["ideas_closed"] = True
                    status = 409
                else:
                    _form_error(form, exc)
                    status = 429 if exc.code == "rate_limited" else 400
            else:
                messages.success(
                    request,
                    _(
                        "Danke! Ihre Idee „%(title)s“ ist eingegangen. Sie erscheint, sobald die "
                        "Moderation sie freigegeben hat; was daraus wird, sehen Sie unter "
                        "„Meine Beiträge“."
                    )
                    % {"title": contribution.title},
                )
                return redirect("participation:mine")
    return render(
        request,
        "participation/idea_form.html",
        {"concept": concept, "form": form, "nav": "participation", **state},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def opinions(request: HttpRequest) -> HttpResponse:
    """Questions and opinions on the concept: the approved ones and the form."""
    concept = _concept()
    form = OpinionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contribution_submit(
                    actor=request.user,
                    concept=concept,
                    kind=data["kind"],
                    body=data["body"],
                    website=data["website"],
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = 429 if exc.code == "rate_limited" else 400
            else:
                messages.success(
                    request,
                    _(
                        "Danke! Ihr Beitrag ist eingegangen und erscheint nach der Freigabe "
                        "durch die Moderation."
                    ),
                )
                return redirect("participation:mine")
    return render(
        request,
        "participation/opinions.html",
        {
            "concept": concept,
            "form": form,
            "contributions": selectors.public_contributions(
                concept, kinds=[Contribution.Kind.QUESTION, Contribution.Kind.OPINION]
            ),
            "contact_email": services.contact_email(concept),
            "nav": "participation",
        },
        status=status,
    )


@require_GET
def contribution(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = access_contribution(request.user, contribution_id)
    return render(
        request,
        "participation/contribution.html",
        {
            "contribution": item,
            "trace": selectors.contribution_item(item),
            "report_form": ReportForm(),
            "may_report": can(request.user, "participation.report_contribution", item),
            "nav": "participation",
        },
    )


@require_POST
def contribution_report(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = access_contribution(request.user, contribution_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_report(
                actor=request.user,
                contribution_id=item.pk,
                reason=form.cleaned_data["reason"],
                client_key=client_address(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Danke für den Hinweis. Die Moderation sieht sich den Beitrag an.")
            )
    else:
        messages.error(request, _("Der Grund ist zu lang."))
    return redirect("participation:contribution", contribution_id=item.pk)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    contributions = list(selectors.own_contributions(request.user))
    return render(
        request,
        "participation/mine.html",
        {
            "entries": [(c, selectors.contribution_item(c)) for c in contributions],
            "nav": "participation",
        },
    )


def _goals_of(concept_id: int, field_id: int | None) -> QuerySet[Goal]:
    goals = Goal.objects.filter(action_field__concept_id=concept_id).select_related("action_field")
    if field_id is not None:
        goals = goals.filter(action_field_id=field_id)
    return goals.order_by("action_field__order", "order", "pk")


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    queue = selectors.moderation_queue(request.user)
    concept = deliberation_selectors.current_concept()
    if not (
        request.user.is_staff
        or (concept and can(request.user, "participation.moderate_contribution", concept))
    ):
        raise Http404(_("Diese Seite gibt es nur für die Moderation."))

    def forms_for(items: list[Contribution]) -> list[tuple[Contribution, GoalLinkForm]]:
        return [
            (
                item,
                GoalLinkForm(
                    goals=_goals_of(item.concept_id, item.action_field_id),
                    initial={"goal": item.goal_id},
                    prefix=f"c{item.pk}",
                ),
            )
            for item in items
        ]

    return render(
        request,
        "participation/moderation.html",
        {
            "queue": queue,
            "pending": forms_for(queue.pending),
            "reported": [
                (item, form, selectors.open_reports(item))
                for item, form in forms_for(queue.reported)
            ],
            "deadline_form": IdeasDeadlineForm(
                initial={"deadline": timezone.localtime(concept.ideas_deadline)}
                if concept and concept.ideas_deadline
                else None
            ),
            "concept": concept,
            "nav": "participation",
        },
    )


@login_required
@require_POST
def ideas_deadline(request: HttpRequest) -> HttpResponse:
    """The moderation sets until when citizens may send ideas."""
    concept = deliberation_selectors.current_concept()
    if concept is None:
        raise Http404(_("Es gibt noch kein Konzept."))
    form = IdeasDeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.ideas_deadline_set(
                actor=request.user, concept=concept, deadline=form.cleaned_data["deadline"]
            )
        except DomainError as exc:
            if exc.code == "forbidden":
                raise Http404(_("Diese Seite gibt es nur für die Moderation.")) from exc
            messages.error(request, exc.message)
        else:
            deadline = form.cleaned_data["deadline"]
            messages.success(
                request,
                _("Ideen können jetzt ohne Frist eingereicht werden.")
                if deadline is None
                else _("Die Frist für Ideen ist jetzt %(when)s.")
                % {"when": formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")},
            )
    else:
        messages.error(request, _("Bitte geben Sie Datum und Uhrzeit an."))
    return redirect("participation:moderation")


@login_required
@require_POST
def moderate(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = selectors.contribution_by_id(contribution_id)
    if item is None or not can(request.user, "participation.moderate_contribution", item):
        raise Http404(_("Diesen Beitrag gibt es nicht."))
    if "goal_link" in request.POST:
        link = GoalLinkForm(
            request.POST,
            goals=_goals_of(item.concept_id, item.action_field_id),
            prefix=f"c{item.pk}",
        )
        if not link.is_valid():
            messages.error(request, _("Dieses Ziel passt nicht zu diesem Beitrag."))
            return redirect("participation:moderation")
        goal = link.cleaned_data["goal"]
        try:
            services.contribution_link_goal(
                actor=request.user, contribution_id=item.pk, goal_id=goal.pk if goal else None
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Die Zuordnung ist gespeichert."))
        return redirect("participation:moderation")
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Entscheidung."))
        return redirect("participation:moderation")
    decision = form.cleaned_data["decision"]
    try:
        if decision == "dismiss":
            services.contribution_reports_dismiss(actor=request.user, contribution_id=item.pk)
            messages.success(request, _("Die Meldungen sind zurückgewiesen."))
        else:
            services.contribution_moderate(
                actor=request.user,
                contribution_id=item.pk,
                decision=decision,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("Der Beitrag ist freigegeben.")
                if decision == "approve"
                else _("Der Beitrag ist nicht freigegeben."),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation:moderation")
