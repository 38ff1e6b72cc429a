"""Staff set up a concept in the admin: every page opens, and goals go through the services."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.test import Client, RequestFactory
from django.urls import reverse

from deliberation.demo import load_demo
from deliberation.models import ActionField, Goal, RoomEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> AbstractUser:
    load_demo()
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff: AbstractUser) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def test_every_admin_list_and_add_page_opens_for_staff(
    staff: AbstractUser, staff_client: Client
) -> None:
    request = RequestFactory().get("/admin/")
    request.user = staff
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert staff_client.get(changelist).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert staff_client.get(change).status_code == 200, change
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert staff_client.get(add).status_code == expected, add


def test_admin_creates_a_goal_with_its_first_version_and_tells_the_rooms(
    staff_client: Client,
) -> None:
    field = ActionField.objects.get(slug="sport")
    events_before = RoomEvent.objects.count()
    response = staff_client.post(
        reverse("admin:deliberation_goal_add"),
        {
            "action_field": field.pk,
            "title": "Schwimmkurse für Erwachsene",
            "order": 9,
            "text": "Jedes Bad bietet Kurse an.\n\nAuch am Abend.",
            "rationale": "Viele Erwachsene können nicht schwimmen.",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(title="Schwimmkurse für Erwachsene")
    assert goal.status == Goal.Status.DRAFT
    assert goal.current_version is not None and goal.current_version.number == 1
    # one goal.created event in each room of the field
    assert RoomEvent.objects.count() == events_before + field.circles.count()


def test_anonymous_and_non_staff_cannot_open_the_admin() -> None:
    anonymous = Client()
    assert anonymous.get("/admin/deliberation/goal/").status_code == 302
    member = Client()
    member.force_login(make_user())
    assert member.get("/admin/deliberation/goal/").status_code == 302
