"""The privacy notice and the imprint: shipped templates until the operator gives files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["privacy", "imprint"])
def test_the_default_page_renders_marked_as_a_template(name: str) -> None:
    page = Client().get(reverse(name))
    assert page.status_code == 200
    assert "Vorlage" in page.content.decode()


def test_the_default_privacy_notice_names_what_konsens_stores() -> None:
    text = Client().get(reverse("privacy")).content.decode()
    for word in ("Kommentare", "geheimen", "ehemaliges Mitglied", "herunterladen"):
        assert word in text


@pytest.mark.parametrize("url_name", ["frontend:concept", "participation:sign_up"])
def test_every_page_links_both_in_its_footer_and_sign_up_names_the_notice(url_name: str) -> None:
    text = Client().get(reverse(url_name)).content.decode()
    assert f'href="{reverse("privacy")}"' in text
    assert f'href="{reverse("imprint")}"' in text


def test_an_operator_file_replaces_the_default(settings: Any, tmp_path: Path) -> None:
    notice = tmp_path / "datenschutz.md"
    notice.write_text("### Stadt Musterstadt\n\nUnsere Erklärung <script>x</script>.", "utf-8")
    settings.PRIVACY_NOTICE_FILE = str(notice)
    text = Client().get(reverse("privacy")).content.decode()
    assert "Stadt Musterstadt" in text
    assert "Vorlage, die der Betreiber" not in text
    assert "<script>x" not in text  # Markdown without raw HTML
