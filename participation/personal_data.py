"""Erasure of a person's data in wider participation (``kernel.personal_data``).

Public contributions stay (their author is the scrubbed account, shown as "ehemaliges
Mitglied"); submitted questionnaire responses stay for the evaluation, tied only to the
scrubbed account; unsent drafts are deleted; reports no longer name who filed them;
questionnaire invitations to the person's address are deleted, or, once answered (the
response refers to them), keep no address."""

from __future__ import annotations

from typing import Any

from participation.models import ContributionReport, Invitation, Response


def erase(user: Any, former_email: str) -> None:
    Response.objects.filter(respondent=user, state=Response.State.DRAFT).delete()
    ContributionReport.objects.filter(reporter=user).update(reporter=None)
    address = former_email.strip()
    if not address:
        return
    invitations = Invitation.objects.filter(email__iexact=address)
    invitations.filter(response__isnull=True).delete()
    for invitation in invitations:
        invitation.email = f"geloescht-{invitation.pk}@invalid"
        invitation.save(update_fields=["email"])
