"""API tokens at rest and over their life: only a prefix and a digest are stored, the secret
is shown once, tokens expire, their last use is recorded, and their owner (alone) lists and
revokes them, by REST and on the account page; the admin shows the prefix only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import token_create
from tests.factories import PASSWORD, Room, make_user

pytestmark = pytest.mark.django_db


def as_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_database_holds_no_secret(api: APIClient) -> None:
    make_user("alice")

    body = api.post(
        "/api/v1/auth/token",
        {"username": "alice", "password": PASSWORD, "name": "Auswertung"},
        format="json",
    ).json()

    stored = ApiToken.objects.get()
    key = body["token"]
    assert len(key) == 40
    assert body["prefix"] == key[:8] == stored.prefix
    assert body["name"] == "Auswertung"
    row = {f.attname: str(getattr(stored, f.attname)) for f in ApiToken._meta.fields}
    assert all(key not in value for value in row.values())


def test_a_new_token_expires_after_the_configured_lifetime(api: APIClient, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME_DAYS = 7
    make_user("alice")

    body = api.post(
        "/api/v1/auth/token", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()

    stored = ApiToken.objects.get()
    assert stored.expires_at - stored.created_at == timedelta(days=7)
    assert body["expires_at"].endswith("+00:00")


def test_an_expired_token_is_refused(room: Room) -> None:
    issued = token_create(room.expert)
    client = as_token(issued.key)
    assert client.get("/api/v1/auth/tokens/").status_code == 200

    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now())

    refused = client.get("/api/v1/auth/tokens/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"


def test_the_last_use_is_recorded(room: Room) -> None:
    issued = token_create(room.expert)
    assert issued.token.last_used_at is None

    as_token(issued.key).get("/api/v1/concepts/")

    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    assert timezone.now() - issued.token.last_used_at < timedelta(minutes=1)


def test_the_owner_lists_their_tokens_by_prefix_only(room: Room) -> None:
    mine = token_create(room.expert, name="Skript")
    token_create(room.outsider)

    body = as_token(mine.key).get("/api/v1/auth/tokens/").json()

    assert body["count"] == 1
    (row,) = body["results"]
    assert row["prefix"] == mine.key[:8] and row["name"] == "Skript"
    assert mine.key not in str(body)
    assert row["last_used_at"] is not None


@pytest.mark.parametrize("persona", ["outsider", "viewer", "owner"])
def test_only_the_owner_revokes_a_token(room: Room, persona: str) -> None:
    issued = token_create(room.expert)
    client = APIClient()
    if persona == "outsider":
        client.force_login(room.outsider)
    elif persona == "owner":
        client.force_login(room.expert)

    response = client.delete(f"/api/v1/auth/tokens/{issued.token.pk}/")

    if persona == "owner":
        assert response.status_code == 204
        assert as_token(issued.key).get("/api/v1/auth/tokens/").status_code == 401
    else:
        # anonymous: 401; somebody else: the same 404 as for a token that does not exist
        assert response.status_code == (401 if persona == "viewer" else 404)
        assert ApiToken.objects.filter(pk=issued.token.pk).exists()


def test_the_account_page_creates_shows_once_and_revokes(room: Room) -> None:
    client = Client()
    client.force_login(room.expert)

    created = client.post("/konto/api-tokens/", {"name": "Export"})
    key = ApiToken.objects.get(user=room.expert)
    html = created.content.decode()
    secret = html.split("data-token>")[1].split("<")[0]
    assert secret.startswith(key.prefix) and len(secret) == 40
    assert as_token(secret).get("/api/v1/auth/tokens/").status_code == 200

    again = client.get("/konto/api-tokens/").content.decode()
    assert secret not in again and f"{key.prefix}…" in again

    client.post(f"/konto/api-tokens/{key.pk}/widerrufen/")
    assert not ApiToken.objects.filter(user=room.expert).exists()


def test_the_account_page_cannot_revoke_somebody_elses_token(room: Room) -> None:
    theirs = token_create(room.moderator)
    client = Client()
    client.force_login(room.outsider)

    client.post(f"/konto/api-tokens/{theirs.token.pk}/widerrufen/")

    assert ApiToken.objects.filter(pk=theirs.token.pk).exists()
    assert Client().get("/konto/api-tokens/").status_code == 302  # anonymous: to the login


def test_the_admin_shows_the_prefix_but_no_secret(room: Room) -> None:
    issued = token_create(room.expert)
    staff = make_user("chefin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    listing = client.get("/admin/api/apitoken/").content.decode()
    detail = client.get(f"/admin/api/apitoken/{issued.token.pk}/change/").content.decode()

    assert issued.key[:8] in listing
    for page in (listing, detail):
        assert issued.key not in page
        assert issued.token.digest not in page


def test_a_new_secret_is_neither_compressed_nor_cached(room: Room) -> None:
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(room.expert)

    page = client.post("/konto/api-tokens/", {"name": "x" * 50})
    api = APIClient(HTTP_ACCEPT_ENCODING="gzip").post(
        "/api/v1/auth/token",
        {"username": room.expert.username, "password": PASSWORD, "name": "y" * 50},
        format="json",
    )

    for response in (page, api):
        assert response["Content-Encoding"] == "identity"
        assert response["Cache-Control"] == "no-store"


def test_plain_tokens_of_before_the_upgrade_keep_working_hashed(room: Room) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("api.migrations.0002_import_authtoken_tokens")
    old_key = "ab12" * 10
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [old_key, timezone.now(), room.expert.pk],
        )

    migration.import_plain_tokens(apps, SimpleNamespace(connection=connection))

    assert ApiToken.objects.get(user=room.expert).prefix == old_key[:8]
    assert as_token(old_key).get("/api/v1/auth/tokens/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no plain secret left behind
