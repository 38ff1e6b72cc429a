"""The AGPL asks that network users be offered the source: every page's footer links to
SOURCE_URL, in German and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

SOURCE = "https://git.example.org/stadt/konsens"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/raeume/", "/anmelden/"])
def test_every_page_links_to_the_source(client: Client, settings: Any, path: str) -> None:
    settings.SOURCE_URL = SOURCE
    page = client.get(path).content.decode()
    assert f'<a href="{SOURCE}" rel="license">Quelltext (AGPL)</a>' in page


@pytest.mark.django_db
def test_the_source_link_is_translated(client: Client, settings: Any) -> None:
    settings.SOURCE_URL = SOURCE
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="{SOURCE}" rel="license">Source code (AGPL)</a>' in page


@pytest.mark.django_db
def test_without_a_source_url_the_installation_serves_its_own_code(
    client: Client, settings: Any
) -> None:
    import io
    import tarfile

    settings.SOURCE_URL = ""
    page = client.get("/").content.decode()
    assert '<a href="/quelltext/" rel="license">Quelltext (AGPL)</a>' in page

    response = client.get("/quelltext/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
        names = set(archive.getnames())
    assert {"konsens/LICENSE", "konsens/pyproject.toml", "konsens/config/source.py"} <= names
    assert "konsens/deliberation/services.py" in names
    assert not any("/var/" in n or n.endswith((".pyc", ".sqlite3")) for n in names)
    assert not any(".venv" in n or "__pycache__" in n for n in names)
