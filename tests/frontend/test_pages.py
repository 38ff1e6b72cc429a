"""The server-rendered public pages through Django's test client: what a visitor reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from deliberation import services
from deliberation.models import ActionField, Circle, Concept, Goal, Membership
from tests.factories import (
    PASSWORD,
    Room,
    make_circle,
    make_concept,
    make_field,
    make_goal,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept() -> Concept:
    return make_concept(
        title="Integrationskonzept 2021–2025",
        resolution_reference="Beschluss Nr. 0522",
        summary="Ein kommunalpolitischer Schwerpunkt.",
        preamble="Integration ist ein **dauerhafter** Prozess.\n\n<script>alert(1)</script>",
        owner="Amt für Zuwanderung und Integration",
        contact_email="integration@example.org",
    )


@pytest.fixture
def field(concept: Concept) -> ActionField:
    field = make_field(
        concept,
        title="Bildung & Sprache",
        slug="bildung-sprache",
        initial_situation="Sprache *zählt*.",
    )
    make_circle(field, title="Expertenkreis Bildung")
    make_circle(field, kind=Circle.Kind.WORKING_GROUP, title="Arbeitsgruppe Bildung")
    return field


@pytest.fixture
def goal(field: ActionField) -> Goal:
    return make_goal(
        field, title="Frühe Sprachförderung", text="Alle Kitas fördern Sprache.\n\nBis 2025."
    )


def _person(username: str, first_name: str, last_name: str, **extra: Any) -> AbstractUser:
    user = make_user(username, **extra)
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def _signed_in(user: object) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return client


# --- the concept page ---------------------------------------------------------------------


def test_concept_page_shows_the_concept_in_german_to_an_anonymous_visitor(
    client: Client, goal: Goal
) -> None:
    response = client.get("/")
    assertContains(response, '<html lang="de" dir="ltr">')
    assertContains(response, '<h1 id="concept-title">Integrationskonzept 2021–2025</h1>', html=True)
    assertContains(response, "2021–2025")
    assertContains(response, "Beschluss Nr. 0522")
    assertContains(response, "Ein kommunalpolitischer Schwerpunkt.")
    assertContains(response, "Handlungsfelder und Ziele")
    assertContains(response, "Bildung &amp; Sprache")
    assertContains(response, "Frühe Sprachförderung")
    assertContains(response, 'href="mailto:integration@example.org"')
    assertContains(response, "Anmelden")


def test_concept_page_renders_the_preamble_as_sanitised_markdown(
    client: Client, concept: Concept
) -> None:
    response = client.get("/")
    assertContains(response, "<strong>dauerhafter</strong>")
    assertNotContains(response, "<script>alert(1)</script>")


def test_concept_page_shows_each_goal_status_as_text(client: Client, field: ActionField) -> None:
    make_goal(field, title="Ein Entwurf", status=Goal.Status.DRAFT)
    make_goal(field, title="Zur Diskussion", status=Goal.Status.IN_DISCUSSION)
    response = client.get("/")
    assertContains(response, "Status: </span>Entwurf", count=1)
    assertContains(response, "Status: </span>In Diskussion", count=1)


def test_concept_page_links_fields_goals_and_public_rooms(client: Client, goal: Goal) -> None:
    response = client.get("/")
    assertContains(response, 'href="/handlungsfelder/bildung-sprache/"')
    assertContains(response, f'href="/ziele/{goal.pk}/"')
    assertContains(response, 'href="/raeume/bildung-sprache/"')
    assertContains(response, 'href="/raeume/bildung-sprache-ag/"')


def test_concept_page_without_a_concept_says_so(client: Client) -> None:
    response = client.get("/")
    assertContains(response, "Noch kein Konzept")


def test_concept_page_needs_the_same_queries_for_many_goals_as_for_few(
    client: Client, concept: Concept
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    field = make_field(concept)
    make_circle(field)
    make_goal(field)
    few = queries()

    for _ in range(4):
        more = make_field(concept)
        make_circle(more)
        make_circle(more, kind=Circle.Kind.WORKING_GROUP)
        for n in range(6):
            make_goal(more, title=f"Ziel {n}")
    assert queries() == few


# --- the action field page ----------------------------------------------------------------


def test_action_field_page_shows_situation_goals_and_rooms(client: Client, goal: Goal) -> None:
    response = client.get(reverse("frontend:action_field", args=["bildung-sprache"]))
    assertContains(response, "<h1>Bildung &amp; Sprache</h1>", html=True)
    assertContains(response, "Sprache <em>zählt</em>.")
    assertContains(response, "Frühe Sprachförderung")
    assertContains(response, "Alle Kitas fördern Sprache.")
    assertContains(response, "Status: </span>In Diskussion")
    assertContains(response, "Expertenkreis Bildung")
    assertContains(response, 'href="/raeume/bildung-sprache/"')
    assertContains(response, 'href="/raeume/bildung-sprache-ag/"')


def test_unknown_action_field_is_not_found(client: Client, concept: Concept) -> None:
    response = client.get("/handlungsfelder/gibt-es-nicht/")
    assert response.status_code == 404
    assertContains(response, "Seite nicht gefunden", status_code=404)
    assertContains(response, '<html lang="de" dir="ltr">', status_code=404)


# --- private rooms: who sees them listed ---------------------------------------------------


@pytest.fixture
def private_room(field: ActionField) -> Room:
    circle = Circle.objects.get(action_field=field, kind=Circle.Kind.WORKING_GROUP)
    circle.is_public = False
    circle.save()
    member, outsider = make_user(), make_user()
    Membership.objects.create(user=member, circle=circle, role=Membership.Role.DRAFTER)
    return Room(
        circle=circle,
        goal=make_goal(field),
        moderator=member,
        expert=member,
        expert2=member,
        drafter=member,
        outsider=outsider,
    )


def test_private_room_is_not_listed_for_an_anonymous_visitor(
    client: Client, private_room: Room
) -> None:
    for path in ("/handlungsfelder/bildung-sprache/", "/raeume/", "/"):
        assertNotContains(client.get(path), 'href="/raeume/bildung-sprache-ag/"')


def test_private_room_is_not_listed_for_an_outsider(private_room: Room) -> None:
    client = _signed_in(private_room.outsider)
    for path in ("/handlungsfelder/bildung-sprache/", "/raeume/"):
        assertNotContains(client.get(path), 'href="/raeume/bildung-sprache-ag/"')


def test_private_room_is_listed_for_its_member(private_room: Room) -> None:
    client = _signed_in(private_room.drafter)
    field_page = client.get("/handlungsfelder/bildung-sprache/")
    assertContains(field_page, 'href="/raeume/bildung-sprache-ag/"')
    assertContains(field_page, "Arbeitsgruppe · nicht öffentlich")
    rooms_page = client.get("/raeume/")
    assertContains(rooms_page, 'href="/raeume/bildung-sprache-ag/"')
    assertContains(rooms_page, "Nicht öffentlich: nur für Mitglieder")


def test_private_room_is_listed_for_staff(private_room: Room) -> None:
    client = _signed_in(make_user(is_staff=True))
    assertContains(client.get("/raeume/"), 'href="/raeume/bildung-sprache-ag/"')


def test_rooms_page_lists_public_rooms_for_an_anonymous_visitor(
    client: Client, field: ActionField
) -> None:
    response = client.get(reverse("frontend:rooms"))
    assertContains(response, "<h1>Räume</h1>", html=True)
    assertContains(response, "Expertenkreis Bildung")
    assertContains(response, "Öffentlich: alle können mitlesen", count=2)


# --- the goal page ------------------------------------------------------------------------


def test_goal_page_shows_current_text_versions_and_status_history(
    client: Client, goal: Goal
) -> None:
    drafter = _person("drafter", "David", "Redakteur", is_staff=True)
    moderator = _person("mod", "Mara", "Moderatorin", is_staff=True)
    services.goal_version_create(
        actor=drafter,
        goal=goal,
        text="Alle Kitas fördern Sprache im Alltag.\n\nBis 2025 **zwei** Fachkräfte.",
        rationale="Ein Drittel braucht Förderung.",
        change_note="Fachkräfte ergänzt",
    )
    services.goal_transition(
        actor=moderator, goal=goal, to_status=Goal.Status.REVISED, reason="Neue Fassung liegt vor"
    )

    response = client.get(reverse("frontend:goal", args=[goal.pk]))

    assertContains(response, "<h1>Frühe Sprachförderung</h1>", html=True)
    assertContains(response, 'id="absatz-1"')
    assertContains(response, 'id="absatz-2"')
    assertContains(response, "Bis 2025 <strong>zwei</strong> Fachkräfte.")
    assertContains(response, "Ein Drittel braucht Förderung.")
    assertContains(response, "Fassung 2")
    assertContains(response, "Fachkräfte ergänzt")
    assertContains(response, "David Redakteur")
    assertContains(response, "Status: </span>Überarbeitet")
    assertContains(response, "Mara Moderatorin")
    assertContains(response, "Neue Fassung liegt vor")
    # The earlier wording stays readable.
    assertContains(response, "Alle Kitas fördern Sprache.")


def test_unknown_goal_is_not_found(client: Client, concept: Concept) -> None:
    response = client.get("/ziele/999999/")
    assertContains(response, "Seite nicht gefunden", status_code=404)


# --- language -----------------------------------------------------------------------------


def test_visitor_switches_to_english_and_the_pages_follow(client: Client, goal: Goal) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/ziele/"})
    assert response.status_code == 302

    concept_page = client.get("/")
    assertContains(concept_page, '<html lang="en" dir="ltr">')
    assertContains(concept_page, "Action fields and goals")
    assertContains(concept_page, "Status: </span>In discussion")
    assertContains(concept_page, "Sign in")
    assertContains(concept_page, "Deutsch")  # the way back
    field_page = client.get("/handlungsfelder/bildung-sprache/")
    assertContains(field_page, "Initial situation")
    goal_page = client.get(f"/ziele/{goal.pk}/")
    assertContains(goal_page, "Current version")
    assertContains(goal_page, "Version 1")
    assertContains(client.get("/raeume/"), "<h1>Rooms</h1>", html=True)


def test_english_pages_mark_the_concepts_german_text_as_german(client: Client, goal: Goal) -> None:
    assertContains(client.get("/"), '<h1 id="concept-title">Integrationskonzept 2021–2025</h1>')
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assertContains(
        client.get("/"), '<h1 id="concept-title" lang="de">Integrationskonzept 2021–2025</h1>'
    )
    assertContains(client.get(f"/ziele/{goal.pk}/"), '<h1 lang="de">Frühe Sprachförderung</h1>')


def test_language_switch_returns_to_the_page_it_was_used_on(client: Client, goal: Goal) -> None:
    path = f"/ziele/{goal.pk}/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": path})
    assert response["Location"] == path


# --- signing in and out --------------------------------------------------------------------


def test_login_page_renders_a_labelled_form(client: Client) -> None:
    response = client.get(reverse("login"))
    assertContains(response, '<label for="id_username">Benutzername</label>', html=True)
    assertContains(response, '<label for="id_password">Passwort</label>', html=True)
    assertContains(response, 'autocomplete="current-password"')


def test_member_signs_in_and_the_header_names_them(client: Client, concept: Concept) -> None:
    _person("ayse", "Ayşe", "Yılmaz")
    response = client.post(
        reverse("login"), {"username": "ayse", "password": PASSWORD, "next": "/raeume/"}
    )
    assertRedirects(response, "/raeume/")
    page = client.get("/")
    assertContains(page, "Angemeldet als")
    assertContains(page, "Ayşe Yılmaz")
    assertContains(page, "Abmelden")
    assertNotContains(page, 'href="/admin/"')


def test_wrong_password_is_refused_with_an_alert(client: Client) -> None:
    make_user("ayse")
    response = client.post(reverse("login"), {"username": "ayse", "password": "falsch"})
    assert response.status_code == 200
    assertContains(response, 'role="alert"')
    assertContains(response, 'aria-invalid="true"')


def test_staff_sees_the_administration_link(concept: Concept) -> None:
    client = _signed_in(make_user(is_staff=True))
    assertContains(client.get("/"), 'href="/admin/"')


def test_member_signs_out(concept: Concept) -> None:
    client = _signed_in(make_user())
    response = client.post(reverse("logout"))
    assertRedirects(response, "/")
    assertContains(client.get("/"), "Anmelden")


# --- error pages --------------------------------------------------------------------------


def test_server_error_page_renders_without_a_request(settings: object) -> None:
    html = render_to_string("500.html")
    assert '<html lang="de">' in html
    assert "Ein Fehler ist aufgetreten" in html
