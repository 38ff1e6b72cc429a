"""Pages of the rounds: a round's evaluation report (with Markdown and CSV downloads) and the
comparison of two versions of a goal. Doors only: reads go through the selectors.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deliberation import selectors
from deliberation.access import access_round
from deliberation.proposals import proposal_trace
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.diff import text_diff
from deliberation.rounds.report import build_round_report, report_csv, report_markdown


def round_report(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    circle, round_ = access_round(request.user, slug, number)
    return render(
        request,
        "frontend/rounds/report.html",
        {
            "circle": circle,
            "field": circle.action_field,
            "round": round_,
            "rounds": list(round_selectors.circle_rounds(circle)),
            "report": build_round_report(round_),
            "nav": "rooms",
        },
    )


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def round_report_markdown(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    circle, round_ = access_round(request.user, slug, number)
    return _download(
        report_markdown(build_round_report(round_)),
        content_type="text/markdown; charset=utf-8",
        filename=f"auswertung-{circle.slug}-runde-{round_.number}.md",
    )


def round_report_csv(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    circle, round_ = access_round(request.user, slug, number)
    return _download(
        report_csv(build_round_report(round_)),
        content_type="text/csv; charset=utf-8",
        filename=f"auswertung-{circle.slug}-runde-{round_.number}.csv",
    )


class CompareForm(forms.Form):
    von = forms.TypedChoiceField(label=gettext_lazy("Von Fassung"), coerce=int)
    bis = forms.TypedChoiceField(label=gettext_lazy("Bis Fassung"), coerce=int)

    def __init__(self, *args: object, numbers: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(n, _("Fassung %(n)s") % {"n": n}) for n in numbers]
        for name in ("von", "bis"):
            self.fields[name].choices = choices  # type: ignore[attr-defined]


def goal_compare(request: HttpRequest, goal_id: int) -> HttpResponse:
    """``/ziele/<id>/vergleich/?von=1&bis=2``: the word-level diff of two versions, and the
    feedback that shaped the versions in between. Without parameters: the current version
    against the one before."""
    goal = selectors.goal_detail(goal_id)
    if goal is None:
        raise Http404(_("Dieses Ziel gibt es nicht."))
    versions = round_selectors.goal_versions(goal)
    numbers = [v.number for v in versions]
    form = CompareForm(request.GET or None, numbers=numbers)
    invalid = form.is_bound and not form.is_valid()
    old = new = None
    if form.is_bound and not invalid:
        old, new = form.cleaned_data["von"], form.cleaned_data["bis"]
    pair = round_selectors.version_pair(goal, old=old, new=new)
    if pair is None:
        raise Http404(_("Dieses Ziel hat keine Fassung."))
    older, newer = pair
    if not form.is_bound:
        form = CompareForm(initial={"von": older.number, "bis": newer.number}, numbers=numbers)
    low, high = sorted((older.number, newer.number))
    shaped = round_selectors.goal_versions_feedback(goal)
    steps = [
        (v, round_selectors.visible_feedback(shaped.get(v.pk, []), request.user))
        for v in versions
        if low < v.number <= high
    ]
    diff = text_diff(older.text, newer.text)
    # Which change came from which change proposal (deliberation.proposals).
    applied, traced = proposal_trace(older, newer, diff.ops)
    return render(
        request,
        "frontend/rounds/compare.html",
        {
            "goal": goal,
            "field": goal.action_field,
            "older": older,
            "newer": newer,
            "text_diff": diff,
            "applied_proposals": applied,
            "traced_diff": traced,
            "rationale_diff": text_diff(older.rationale, newer.rationale),
            "form": form,
            "steps": steps,
            "nav": "concept",
        },
        status=400 if invalid else 200,
    )
