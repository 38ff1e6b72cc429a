"""The nested app's rules are found by django-rules' autodiscovery (it imports
``<AppConfig.name>.rules``), and the scope predicates answer per persona."""

from __future__ import annotations

import pytest
import rules

from participation.models import Contribution
from tests.participation.conftest import Site

pytestmark = pytest.mark.django_db

PERMISSIONS = (
    "participation.manage_questionnaire",
    "participation.view_results",
    "participation.link_answer",
    "participation.submit_contribution",
    "participation.moderate_contribution",
    "participation.view_contribution",
    "participation.report_contribution",
)


def test_autodiscovery_registers_the_nested_apps_rules() -> None:
    assert all(rules.perm_exists(name) for name in PERMISSIONS)


@pytest.mark.parametrize(
    ("persona", "field", "other_field", "concept"),
    [
        ("staff", True, True, True),
        ("moderator", True, False, True),
        ("member", False, False, False),
        ("outsider", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_managing_follows_the_scope(
    site: Site, persona: str, field: bool, other_field: bool, concept: bool
) -> None:
    user = site.persona(persona)
    assert user.has_perm("participation.manage_questionnaire", site.field) is field
    assert user.has_perm("participation.manage_questionnaire", site.other_field) is other_field
    assert user.has_perm("participation.manage_questionnaire", site.concept) is concept


@pytest.mark.parametrize(
    ("persona", "pending", "approved"),
    [
        ("staff", True, True),
        ("moderator", True, True),
        ("member", False, True),
        ("outsider", True, True),  # the author
        ("anonymous", False, True),
    ],
)
def test_who_sees_a_contribution(site: Site, persona: str, pending: bool, approved: bool) -> None:
    contribution = Contribution.objects.create(
        concept=site.concept,
        action_field=site.field,
        kind="idea",
        author=site.outsider,
        title="T",
        body="B",
        body_html="<p>B</p>",
        created_at=site.goal.created_at,
    )
    user = site.persona(persona)
    assert user.has_perm("participation.view_contribution", contribution) is pending
    contribution.state = Contribution.State.APPROVED
    assert user.has_perm("participation.view_contribution", contribution) is approved
