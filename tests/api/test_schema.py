"""The OpenAPI schema is valid, its docs page loads nothing from a CDN, and the read endpoints
answer as the schema says (schemathesis over the demo data)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from deliberation.demo import load_demo

pytestmark = pytest.mark.django_db

READ_OPERATIONS = {
    "concepts_list",
    "concepts_retrieve",
    "action_fields_list",
    "action_fields_retrieve",
    "goals_list",
    "goals_retrieve",
    "goals_versions_list",
    "goals_versions_retrieve",
    "circles_list",
    "circles_retrieve",
}


def test_schema_passes_spectacular_validation_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    operations = {
        operation["operationId"]
        for path_item in schema["paths"].values()
        for operation in path_item.values()
    }
    assert READ_OPERATIONS | {"auth_token_create", "auth_token_destroy"} <= operations


def test_schema_endpoint_serves_openapi_3(api: APIClient) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/goals/{goal_id}/versions/{number}/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def test_docs_page_loads_only_local_assets(api: APIClient) -> None:
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)

    assert parser.urls, "the docs page should load Swagger UI's script and styles"
    for url in parser.urls:
        if url.startswith("/api/v1/docs/?"):  # its start script, served apart for the CSP
            assert api.get(url).status_code == 200
            continue
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    assert "cdn" not in html.lower()


# --- schemathesis: every read operation, anonymous, over the demo concept -------------------


@pytest.fixture
def wsgi_app(db: None, settings: Any) -> Iterator[WSGIHandler]:
    """Django's real WSGI application, sharing the test's database transaction.

    Like Django's test client, keep the request signals from closing the connection (which
    would throw the test transaction away)."""
    settings.ALLOWED_HOSTS = ["localhost"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app: WSGIHandler) -> Any:
    load_demo()
    loaded = schemathesis.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    return loaded.include(operation_id=sorted(READ_OPERATIONS))


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_read_endpoints_conform_to_the_schema(case: Any) -> None:
    response = case.call_wsgi()
    case.validate_response(
        response,
        checks=(
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ),
    )


# --- schemathesis: every write operation, anonymous and as a moderator ----------------------

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Writes open to anonymous callers by design: getting a token, signing up, answering a
# questionnaire by its personal link, reporting a public contribution.
ANONYMOUS_MAY = {
    "auth_token_create",
    "accounts_sign_up",
    "accounts_confirm",
    "invitations_answer",
    "invitations_submit",
    "contributions_report",
}
WRITE_SETTINGS = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def write_schema(wsgi_app: WSGIHandler, settings: Any) -> Any:
    # Throttling would turn the runs into 429s; it is tested in test_auth_token.
    rates = {scope: "100000/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    load_demo()
    loaded = schemathesis.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    return loaded.include(method=list(WRITE_METHODS))


writes = schemathesis.from_pytest_fixture("write_schema")


@writes.parametrize()
@WRITE_SETTINGS
def test_anonymous_writes_are_refused_never_a_server_error(case: Any) -> None:
    response = case.call_wsgi()
    case.validate_response(
        response, checks=(not_a_server_error, content_type_conformance, response_schema_conformance)
    )
    if case.operation.definition.raw.get("operationId") not in ANONYMOUS_MAY:
        assert response.status_code in (401, 403, 404, 405, 429), response.get_data(as_text=True)


@writes.parametrize()
@WRITE_SETTINGS
def test_moderator_writes_conform_to_the_schema(case: Any) -> None:
    from django.contrib.auth import get_user_model

    from api.tokens import token_create

    moderator = get_user_model().objects.get(username="moderator")
    key = token_create(moderator).key
    response = case.call_wsgi(headers={"Authorization": f"Token {key}"})
    case.validate_response(
        response,
        checks=(not_a_server_error, content_type_conformance, response_schema_conformance),
    )
