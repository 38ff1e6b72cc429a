from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from deliberation import selectors


def concept(request: HttpRequest) -> HttpResponse:
    concept = selectors.current_concept()
    fields = selectors.concept_fields_with_goals(concept) if concept else []
    return render(request, "frontend/concept.html", {"concept": concept, "fields": fields})
