"""Helpers shared by the participation pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import selectors as deliberation_selectors
from deliberation.models import Concept
from kernel.errors import DomainError
from participation import services


def _concept() -> Concept:
    concept = deliberation_selectors.current_concept()
    if concept is None:
        raise Http404(_("Noch kein Konzept."))
    return concept


def _form_error(form: Any, exc: DomainError) -> None:
    """Show a service's refusal at the field it names, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _deadline_state(concept: Concept) -> dict[str, Any]:
    deadline = concept.ideas_deadline
    return {
        "ideas_deadline": deadline,
        "ideas_closed": deadline is not None and timezone.now() >= deadline,
        "contact_email": services.contact_email(concept),
    }


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
