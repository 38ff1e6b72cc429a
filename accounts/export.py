"""A person's export of their own data (GDPR articles 15 and 20): everything Konsens stores
about the signed-in person, as one JSON document. The contexts each say what they hold
(``deliberation.selectors.personal_data`` and the providers registered with
``kernel.personal_data``); this module assembles them.

Not included, and why: secret ballots (nothing links them to anyone: during the vote the
server holds only a keyed hash of motion and voter beside the ballot, and at close the key's
salt is erased); other people's data (names of others appear nowhere, ids only); passwords
(only their hash is stored, and it is not handed out); API token keys (secrets: only that a
token exists and since when); the sign-in failure counters (kept in the cache per address
and account for ``LOGIN_FAILURE_WINDOW`` seconds, not tied to a stored record); the server's
logs (request lines with address and time, kept by the operator's log retention).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.erase import sessions_of
from accounts.models import Invitation
from api.tokens import tokens_of
from deliberation.selectors import personal_data as deliberation_data
from kernel import personal_data

FORMAT = "konsens-personal-data/1"


def _not_included() -> dict[str, str]:
    return {
        "secret_ballots": _(
            "Geheime Stimmzettel sind mit niemandem verknüpft: während der Abstimmung steht "
            "neben ihnen nur ein verschlüsselter Schlüssel aus Abstimmung und Person, nach dem "
            "Schluss nicht einmal der."
        ),
        "password": _("Gespeichert ist nur ein Hash des Passworts; er wird nicht herausgegeben."),
        "api_token_keys": _(
            "Die Schlüssel der API-Tokens sind Geheimnisse; genannt wird nur, seit wann es sie "
            "gibt."
        ),
        "login_failures": _(
            "Fehlgeschlagene Anmeldungen werden je Adresse und Konto nur im Zwischenspeicher "
            "gezählt und verfallen nach LOGIN_FAILURE_WINDOW Sekunden."
        ),
        "server_logs": _(
            "Die Protokolle des Servers bewahrt der Betreiber nach seinen eigenen Fristen auf."
        ),
    }


def _account(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _sessions(user: Any) -> list[dict[str, Any]]:
    return sorted(
        ({"expires_at": session.expire_date} for session in sessions_of(user)),
        key=lambda row: row["expires_at"],
    )


def _tokens(user: Any) -> list[dict[str, Any]]:
    # The prefix identifies a token; the secret is not stored, so it cannot leak here.
    rows = tokens_of(user).values("name", "prefix", "created_at", "expires_at", "last_used_at")
    return [dict(row) for row in rows]


def _invitations(user: Any) -> list[dict[str, Any]]:
    address = (user.email or "").strip()
    where = Q(accepted_by=user) | (Q(email__iexact=address) if address else Q(pk__in=[]))
    rows: Any = (
        Invitation.objects.filter(where)
        .order_by("pk")
        .values(
            "circle__slug",
            "circle__title",
            "email",
            "role",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        )
    )
    return list(rows)


def personal_data_export(user: Any) -> dict[str, Any]:
    """Everything stored about ``user`` (signed in), as plain JSON-able dicts (datetimes
    are encoded by the door's JSON encoder)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "account": _account(user),
        "login": {"sessions": _sessions(user), "api_tokens": _tokens(user)},
        "invitations": _invitations(user),
        "deliberation": deliberation_data(user),
    }
    for provider in personal_data.providers():
        if provider.export is not None:
            document[provider.name] = provider.export(user)
    document["not_included"] = _not_included()
    return document
