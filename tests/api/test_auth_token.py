"""API tokens: get one with a password, use it, revoke it; guessing is throttled."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import token_create
from tests.factories import PASSWORD, Room, make_user

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
WRONG = "Benutzername oder Passwort ist falsch."


def get_token(client: APIClient, username: str, password: str = PASSWORD) -> str:
    response = client.post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def test_user_gets_a_token_for_username_and_password(api: APIClient) -> None:
    user = make_user("alice")

    token = get_token(api, "alice")

    assert ApiToken.objects.get(user=user).prefix == token[:8]
    assert get_token(api, "alice") != token  # asked again: a second token
    assert ApiToken.objects.filter(user=user).count() == 2


def test_token_signs_requests_in(private_room: Room, api: APIClient) -> None:
    token = get_token(api, private_room.expert.username)
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = signed_in.get(f"/api/v1/circles/{private_room.circle.slug}/")

    assert response.status_code == 200
    assert api.get(f"/api/v1/circles/{private_room.circle.slug}/").status_code == 404


def test_made_up_token_is_refused(api: APIClient) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = api.get("/api/v1/concepts/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "falsch"), ("niemand", PASSWORD), ("alice", "")],
)
def test_wrong_credentials_get_a_clear_400_and_no_token(
    api: APIClient, username: str, password: str
) -> None:
    make_user("alice")

    response = api.post(TOKEN_URL, {"username": username, "password": password}, format="json")

    assert response.status_code == 400
    if password:
        assert response.json() == {"non_field_errors": [WRONG]}
    else:
        assert list(response.json()) == ["password"]
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(api: APIClient) -> None:
    make_user("alice", is_active=False)
    response = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [WRONG]}


def test_revoked_token_no_longer_works(api: APIClient) -> None:
    make_user("alice")
    token = get_token(api, "alice")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.delete(TOKEN_URL).status_code == 204

    assert not ApiToken.objects.filter(prefix=token[:8]).exists()
    refused = api.get("/api/v1/concepts/")
    assert refused.status_code in (401, 403)
    assert refused.json()["code"] == "authentication_failed"
    api.credentials()
    assert get_token(api, "alice") != token  # a new one on request


def test_session_user_can_revoke_their_token(api: APIClient) -> None:
    user = make_user("alice")
    token_create(user)
    api.force_login(user)

    assert api.delete(TOKEN_URL).status_code == 204
    assert not ApiToken.objects.filter(user=user).exists()


def test_anonymous_cannot_revoke(api: APIClient) -> None:
    user = make_user("alice")
    token_create(user)

    response = api.delete(TOKEN_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert ApiToken.objects.filter(user=user).exists()


def test_token_requests_are_throttled_per_address(api: APIClient) -> None:
    make_user("alice")
    for _ in range(10):
        response = api.post(TOKEN_URL, {"username": "alice", "password": "rate"}, format="json")
        assert response.status_code == 400

    throttled = api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}, format="json")
    forged = api.post(
        TOKEN_URL,
        {"username": "alice", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    other_address = api.post(
        TOKEN_URL,
        {"username": "alice", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="198.51.100.7",
    )

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert "Retry-After" in throttled
    assert forged.status_code == 429  # X-Forwarded-For is not trusted without a proxy
    assert other_address.status_code == 200


@pytest.mark.parametrize("key", ["\x00" * 40, "x" * 40, "0" * 39, "Token"])
def test_malformed_token_is_refused_not_a_server_error(api: APIClient, key: str) -> None:
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/concepts/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "authentication_failed"


def test_forged_session_cookie_counts_as_signed_out(api: APIClient) -> None:
    api.cookies["sessionid"] = "\x00forged-session-key\x00"
    response = api.get("/api/v1/concepts/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
