"""Answers saved at the same instant from several threads and database connections: one
invitation yields one response, one account one response, whatever the timing. PostgreSQL
only: SQLite serialises every writer by design, so there is nothing to race there."""

from __future__ import annotations

import pytest
from django.conf import settings

from kernel.errors import Conflict
from participation import services
from participation.models import Questionnaire, Response
from tests.participation.conftest import Site, answers_for, build_questionnaire
from tests.voting.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): row locks under real concurrency",
    ),
]
N = 8


def test_a_token_submitted_from_many_places_at_once_counts_once(site: Site) -> None:
    questionnaire = build_questionnaire(site)
    batch = services.invitations_create(
        actor=site.moderator, questionnaire_id=questionnaire.pk, emails=["a@example.org"]
    )
    token = batch.all[0].token
    answers = answers_for(questionnaire)

    results, errors = run_together(
        [
            lambda: services.response_save(actor=None, token=token, answers=answers, submit=True)
            for _ in range(N)
        ]
    )

    assert len(results) == 1
    assert len(errors) == N - 1 and all(isinstance(e, Conflict) for e in errors), errors
    assert Response.objects.get().state == Response.State.SUBMITTED


def test_an_accounts_first_saves_at_once_make_one_response(site: Site) -> None:
    questionnaire = build_questionnaire(site, distribution=Questionnaire.Distribution.PUBLIC)
    answers = answers_for(questionnaire)

    results, errors = run_together(
        [
            lambda: services.response_save(
                actor=site.outsider,
                questionnaire_id=questionnaire.pk,
                answers=answers,
                submit=False,
            )
            for _ in range(N)
        ]
    )

    assert all(isinstance(e, Conflict) for e in errors), errors
    assert len(results) + len(errors) == N and results
    assert Response.objects.filter(respondent=site.outsider).count() == 1
