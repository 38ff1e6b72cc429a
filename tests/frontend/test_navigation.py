"""No dead ends: the header and the concept page lead to the adopted concept, the goal page
to the diffs of its versions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from deliberation import services
from tests.factories import make_concept, make_field, make_goal, make_user

pytestmark = pytest.mark.django_db


def test_the_header_and_the_concept_page_link_the_adopted_concept(client: Client) -> None:
    make_field(make_concept(title="Integrationskonzept"), title="Bildung", slug="bildung")
    page = client.get(reverse("frontend:concept"))
    link = f'href="{reverse("voting:concept_document_current")}"'
    assert page.content.decode().count(link) == 2  # the header's nav and the concept's head
    assertContains(client.get(reverse("voting:concept_document_current")), link)


def test_the_goal_page_links_the_diff_of_each_version(client: Client) -> None:
    goal = make_goal(
        make_field(make_concept(), title="Bildung", slug="bildung"), title="Sprache", text="Eins."
    )
    compare = reverse("rounds:compare", args=[goal.pk])
    page = client.get(reverse("frontend:goal", args=[goal.pk]))
    assertNotContains(page, compare)  # one version: nothing to compare

    drafter = make_user("drafter", is_staff=True)
    services.goal_version_create(actor=drafter, goal=goal, text="Zwei.", change_note="neu")
    page = client.get(reverse("frontend:goal", args=[goal.pk]))
    assertContains(page, f'href="{compare}"')
    assertContains(page, f'href="{compare}?von=1&amp;bis=2"')
    assertContains(page, "Änderungen gegenüber Fassung 1")
    assert client.get(f"{compare}?von=1&bis=2").status_code == 200
