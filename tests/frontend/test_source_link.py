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
