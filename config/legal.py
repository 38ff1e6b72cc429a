"""The privacy notice (/datenschutz/) and the imprint (/impressum/): Markdown files the
operator provides (``PRIVACY_NOTICE_FILE``, ``IMPRINT_FILE``), rendered with
``kernel.rendering``. Without a file, the shipped German templates in ``config/legal/`` are
shown, marked as templates the operator must adapt (docs/operations.md, "Data protection")."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kernel.rendering import render_markdown

DEFAULTS = Path(__file__).resolve().parent / "legal"


def _page(request: HttpRequest, *, setting: str, default: str, title: str) -> HttpResponse:
    configured = str(getattr(settings, setting, "") or "")
    path = Path(configured) if configured else DEFAULTS / default
    # The file is read at each request: the operator may edit it without a restart, and
    # the page is rare. A missing configured file fails loudly at start (config.checks).
    source = path.read_text(encoding="utf-8")
    return render(
        request,
        "frontend/legal.html",
        {
            "title": title,
            "body": render_markdown(source),
            "is_template": not configured,
            "nav": "",
        },
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        setting="PRIVACY_NOTICE_FILE",
        default="datenschutz.md",
        title=_("Datenschutzerklärung"),
    )


@require_GET
def imprint(request: HttpRequest) -> HttpResponse:
    return _page(request, setting="IMPRINT_FILE", default="impressum.md", title=_("Impressum"))
