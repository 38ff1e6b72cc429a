"""Citizens' sign-up with e-mail confirmation, its abuse limits, and the e-mail settings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from config.env import parse_email_url
from kernel.errors import Invalid, RateLimited
from participation import services
from tests.participation.conftest import Site

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SIGN_UP = {
    "name": "Aylin",
    "email": "Aylin@Example.org",
    "password": "lange-sichere-phrase-42",
    "password_again": "lange-sichere-phrase-42",
}


def confirmation_link() -> str:
    (message,) = mail.outbox
    found = re.search(r"https?://\S+/beteiligung/bestaetigen/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def test_a_citizen_signs_up_confirms_and_may_then_submit(
    site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participation:sign_up"), SIGN_UP)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="aylin@example.org")
    assert not user.is_active and user.first_name == "Aylin"
    assert mail.outbox[0].to == ["aylin@example.org"]

    link = confirmation_link().split("testserver", 1)[1]
    assert not client.login(username="aylin@example.org", password=SIGN_UP["password"])
    assert "Konto bestätigen" in client.get(link).content.decode()  # GET changes nothing
    assert client.post(link).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.post(link).status_code == 400  # a link works once

    submitted = client.post(
        reverse("participation:opinions"), {"kind": "question", "body": "Wie geht es weiter?"}
    )
    assert submitted.status_code == 302


def test_signing_up_again_does_not_reveal_an_account(
    site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    site.outsider.email = "bekannt@example.org"
    site.outsider.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("participation:sign_up"), {**SIGN_UP, "email": "bekannt@example.org"}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("participation:sign_up_sent")
    assert "schon eines" in mail.outbox[0].body
    assert get_user_model().objects.filter(email="bekannt@example.org").count() == 1


def test_sign_up_checks_the_password_and_the_honeypot(site: Site) -> None:
    weak = Client().post(
        reverse("participation:sign_up"), {**SIGN_UP, "password": "123", "password_again": "123"}
    )
    assert weak.status_code == 400
    spam = Client().post(reverse("participation:sign_up"), {**SIGN_UP, "website": "x"})
    assert spam.status_code == 400
    assert not get_user_model().objects.filter(username="aylin@example.org").exists()


def test_sign_ups_are_rate_limited_per_address(site: Site, settings: Any) -> None:
    settings.PARTICIPATION_RATE_LIMITS = {"signup": (2, 3600)}
    for n in range(2):
        services.citizen_sign_up(
            email=f"p{n}@example.org",
            name="P",
            password="lange-sichere-phrase-42",
            base_url="http://testserver",
            client_key="10.0.0.1",
        )
    with pytest.raises(RateLimited):
        services.citizen_sign_up(
            email="p3@example.org",
            name="P",
            password="lange-sichere-phrase-42",
            base_url="http://testserver",
            client_key="10.0.0.1",
        )
    response = Client(REMOTE_ADDR="10.0.0.1").post(
        "/api/v1/accounts/sign-up/",
        {"email": "p4@example.org", "name": "P", "password": "lange-sichere-phrase-42"},
        content_type="application/json",
    )
    assert response.status_code == 429


def test_the_api_signs_up_and_confirms(site: Site, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/accounts/sign-up/",
            {"email": "api@example.org", "name": "Api", "password": "lange-sichere-phrase-42"},
            content_type="application/json",
        )
    assert response.status_code == 202
    uid, token = confirmation_link().rstrip("/").split("/")[-2:]
    assert (
        Client()
        .post("/api/v1/accounts/confirm/", {"uid": uid, "token": "falsch"}, "application/json")
        .status_code
        == 400
    )
    confirmed = Client().post(
        "/api/v1/accounts/confirm/", {"uid": uid, "token": token}, "application/json"
    )
    assert confirmed.status_code == 200
    assert get_user_model().objects.get(username="api@example.org").is_active


def test_a_bad_confirmation_link_is_refused(site: Site) -> None:
    with pytest.raises(Invalid):
        services.citizen_confirm(uidb64="xyz", token="abc")


# --- e-mail settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://konsens%40example.org:s%3Acret@mail.example.org:587",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "konsens@example.org",
                "EMAIL_HOST_PASSWORD": "s:cret",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        (
            "smtps://mail.example.org",
            {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False},
        ),
        ("smtp://relay:25?tls=0", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": False}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
    ],
)
def test_email_url_becomes_djangos_settings(url: str, expected: dict[str, Any]) -> None:
    parsed = parse_email_url(url)
    assert parsed.items() >= expected.items()


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "smtp://h:port", "smtp://h?tls=2"]
)
def test_a_bad_email_url_stops_the_start(url: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured) as refused:
        parse_email_url(url)
    assert "EMAIL_URL" in str(refused.value)


def _settings_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KONSENS_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
            "settings.EMAIL_USE_TLS)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_mail_goes_to_the_console_by_default_and_to_smtp_by_environment(tmp_path: Path) -> None:
    default = _settings_with(tmp_path)
    assert default.stdout.startswith("django.core.mail.backends.console.EmailBackend"), (
        default.stderr
    )
    smtp = _settings_with(tmp_path, EMAIL_HOST="mail.example.org", EMAIL_PORT="2525")
    assert smtp.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "2525",
        "True",
    ], smtp.stderr
    both = _settings_with(tmp_path, EMAIL_HOST="a", EMAIL_URL="smtp://b")
    assert both.returncode != 0 and "not both" in both.stderr


# --- the same answer, in the same time, for new and known addresses ---------------------------


class CountingHasher(MD5PasswordHasher):
    """MD5 that counts how often a password is hashed (``make_password``)."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings: Any) -> type[CountingHasher]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def api_sign_up(email: str, password: str) -> Any:
    return Client().post(
        "/api/v1/accounts/sign-up/",
        {"email": email, "name": "Aylin", "password": password},
        content_type="application/json",
    )


@pytest.mark.parametrize("active", [True, False])
def test_a_weak_password_gets_the_same_answer_for_new_and_known_addresses(
    site: Site, active: bool
) -> None:
    get_user_model().objects.create_user(
        username="bekannt@example.org", email="bekannt@example.org", is_active=active
    )

    new = api_sign_up("neu@example.org", "123")
    known = api_sign_up("bekannt@example.org", "123")

    assert known.status_code == new.status_code == 400
    assert known.json() == new.json()
    assert known.json()["field"] == "password"
    form = {**SIGN_UP, "password": "123", "password_again": "123"}
    new_page = Client().post(reverse("participation:sign_up"), {**form, "email": "n@example.org"})
    known_page = Client().post(
        reverse("participation:sign_up"), {**form, "email": "bekannt@example.org"}
    )
    assert new_page.status_code == known_page.status_code == 400
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("active", [True, False])
def test_a_known_address_pays_the_same_hashing_as_a_new_one(
    site: Site, hashes: type[CountingHasher], active: bool
) -> None:
    get_user_model().objects.create_user(
        username="bekannt@example.org", email="bekannt@example.org", is_active=active
    )
    hashes.calls = 0

    new = api_sign_up("neu@example.org", "lange-sichere-phrase-42")
    for_new = hashes.calls
    known = api_sign_up("bekannt@example.org", "lange-sichere-phrase-42")
    for_known = hashes.calls - for_new

    assert (new.status_code, new.json()) == (known.status_code, known.json())
    assert known.status_code == 202
    assert for_new == for_known == 1
    # the known account keeps its password
    assert not get_user_model().objects.get(username="bekannt@example.org").has_usable_password()
