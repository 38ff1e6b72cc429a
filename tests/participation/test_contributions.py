"""Public ideas, questions and opinions: the deadline, moderation, reports, abuse limits;
through the services, the pages and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kernel.errors import Conflict, Forbidden, Invalid, RateLimited
from participation import selectors, services
from participation.models import Contribution, ContributionReport
from tests.participation.conftest import IDEAS_DEADLINE, NOW, Site

pytestmark = pytest.mark.django_db


def submit_idea(
    site: Site, title: str = "Sprachcafés in jedem Stadtteil", **extra: object
) -> Contribution:
    return services.contribution_submit(
        actor=extra.pop("actor", site.outsider),
        concept=site.concept,
        kind=Contribution.Kind.IDEA,
        action_field=site.field,
        title=title,
        body="Ehrenamtliche treffen sich **wöchentlich** mit Neuankömmlingen.",
        **extra,  # type: ignore[arg-type]
    )


def approve(site: Site, contribution: Contribution) -> Contribution:
    return services.contribution_moderate(
        actor=site.moderator, contribution_id=contribution.pk, decision="approve"
    )


# --- the deadline ----------------------------------------------------------------------------


def test_an_idea_is_accepted_before_the_deadline(site: Site) -> None:
    with time_machine.travel(IDEAS_DEADLINE - timedelta(seconds=1), tick=False):
        idea = submit_idea(site)
    assert idea.state == Contribution.State.PENDING
    assert "<strong>wöchentlich</strong>" in idea.body_html


def test_an_idea_is_refused_after_the_deadline(site: Site) -> None:
    with time_machine.travel(IDEAS_DEADLINE, tick=False), pytest.raises(Conflict) as refused:
        submit_idea(site)
    assert refused.value.field == "deadline"
    assert "beteiligung@example.org" in refused.value.message
    assert not Contribution.objects.exists()


def test_after_the_deadline_the_form_says_closed_and_shows_the_contact(site: Site) -> None:
    with time_machine.travel(IDEAS_DEADLINE + timedelta(days=1), tick=False):
        client = site.client("outsider")
        page = client.get(reverse("participation:idea_new"))
        posted = client.post(
            reverse("participation:idea_new"),
            {"action_field": site.field.pk, "title": "Spät", "body": "Zu spät eingereicht."},
        )
    for response in (page, posted):
        html = response.content.decode()
        assert "Einsendungen sind geschlossen" in html
        assert "mailto:beteiligung@example.org" in html
        assert 'name="body"' not in html
    assert posted.status_code == 409
    assert not Contribution.objects.exists()


def test_the_form_takes_an_idea_before_the_deadline(site: Site) -> None:
    response = site.client("outsider").post(
        reverse("participation:idea_new"),
        {"action_field": site.field.pk, "title": "Lernpaten", "body": "Pat:innen für Kinder."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("participation:mine")
    assert Contribution.objects.get().title == "Lernpaten"


def test_the_api_refuses_an_idea_after_the_deadline(site: Site) -> None:
    url = f"/api/v1/concepts/{site.concept.slug}/contributions/"
    body = {"kind": "idea", "action_field": site.field.slug, "title": "T", "body": "Text."}
    early = site.client("outsider").post(url, body, content_type="application/json")
    assert early.status_code == 201
    with time_machine.travel(IDEAS_DEADLINE, tick=False):
        late = site.client("outsider").post(url, body, content_type="application/json")
    assert late.status_code == 409
    assert late.json()["field"] == "deadline"


def test_questions_and_opinions_need_no_action_field(site: Site) -> None:
    question = services.contribution_submit(
        actor=site.outsider, concept=site.concept, kind="question", body="Wer entscheidet?"
    )
    assert question.action_field is None
    with pytest.raises(Invalid):
        services.contribution_submit(
            actor=site.outsider, concept=site.concept, kind="idea", title="T", body="ohne Feld"
        )


def test_anonymous_visitors_cannot_submit(site: Site) -> None:
    with pytest.raises(Forbidden):
        submit_idea(site, actor=site.anonymous)
    response = site.client("anonymous").post(
        reverse("participation:idea_new"),
        {"action_field": site.field.pk, "title": "T", "body": "Text"},
    )
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_an_unconfirmed_account_cannot_submit(site: Site) -> None:
    site.outsider.is_active = False
    site.outsider.save()
    with pytest.raises(Forbidden):
        submit_idea(site)


# --- moderation ------------------------------------------------------------------------------


def test_moderation_hides_unapproved_ideas_from_the_public_page_and_api(site: Site) -> None:
    pending = submit_idea(site, title="Wartet noch")
    rejected = submit_idea(site, title="Werbung")
    services.contribution_moderate(
        actor=site.moderator, contribution_id=rejected.pk, decision="reject", reason="Werbung"
    )
    shown = approve(site, submit_idea(site, title="Freigegeben"))

    anonymous = site.client("anonymous")
    page = anonymous.get(reverse("participation:ideas")).content.decode()
    listed = anonymous.get(f"/api/v1/concepts/{site.concept.slug}/contributions/").json()["results"]

    assert "Freigegeben" in page and "Wartet noch" not in page and "Werbung" not in page
    assert [c["title"] for c in listed] == ["Freigegeben"]
    for hidden in (pending, rejected):
        assert (
            anonymous.get(reverse("participation:contribution", args=[hidden.pk])).status_code
            == 404
        )
        assert anonymous.get(f"/api/v1/contributions/{hidden.pk}/").status_code == 404
    assert anonymous.get(f"/api/v1/contributions/{shown.pk}/").status_code == 200


def test_the_author_sees_a_rejection_and_its_reason(site: Site) -> None:
    idea = submit_idea(site, title="Werbung")
    services.contribution_moderate(
        actor=site.moderator, contribution_id=idea.pk, decision="reject", reason="Bitte sachlich."
    )
    page = site.client("outsider").get(reverse("participation:mine")).content.decode()
    assert "nicht freigegeben" in page and "Bitte sachlich." in page
    mine = site.client("outsider").get("/api/v1/contributions/mine/").json()["results"]
    assert mine[0]["state"] == "rejected" and mine[0]["moderation_reason"] == "Bitte sachlich."


def test_rejecting_needs_a_reason(site: Site) -> None:
    idea = submit_idea(site)
    with pytest.raises(Invalid):
        services.contribution_moderate(
            actor=site.moderator, contribution_id=idea.pk, decision="reject"
        )


def test_the_queue_shows_counts_and_the_oldest_waiting(
    site: Site, clock: time_machine.Coordinates
) -> None:
    first = submit_idea(site, title="Erste")
    clock.shift(timedelta(hours=2))
    submit_idea(site, title="Zweite", actor=site.member)
    services.contribution_submit(
        actor=site.drafter, concept=site.concept, kind="question", body="Warum?"
    )

    queue = selectors.moderation_queue(site.moderator)

    assert queue.stats.pending == 3
    assert queue.stats.by_kind == {"idea": 2, "question": 1, "opinion": 0}
    assert queue.stats.oldest == first.created_at == NOW
    assert [c.title for c in queue.pending][:2] == ["Erste", "Zweite"]
    page = site.client("moderator").get(reverse("participation:moderation")).content.decode()
    assert "Erste" in page and "Warum?" in page


def test_a_field_moderator_sees_only_the_queue_of_their_field(site: Site) -> None:
    services.contribution_submit(
        actor=site.outsider,
        concept=site.concept,
        kind="idea",
        action_field=site.other_field,
        title="Anderes Feld",
        body="Text",
    )
    assert selectors.moderation_queue(site.moderator).stats.pending == 0
    assert selectors.moderation_queue(site.staff).stats.pending == 1


def test_a_report_puts_a_public_contribution_back_in_the_queue(site: Site) -> None:
    idea = approve(site, submit_idea(site))
    response = site.client("anonymous").post(
        reverse("participation:contribution_report", args=[idea.pk]), {"reason": "Beleidigend"}
    )
    assert response.status_code == 302

    queue = selectors.moderation_queue(site.moderator)
    assert [c.pk for c in queue.reported] == [idea.pk]

    services.contribution_moderate(
        actor=site.moderator, contribution_id=idea.pk, decision="reject", reason="Beleidigend."
    )
    assert selectors.moderation_queue(site.moderator).reported == []
    assert ContributionReport.objects.get().resolved_by == site.moderator
    assert not selectors.public_contributions(site.concept).exists()


def test_dismissing_reports_keeps_the_contribution_public(site: Site) -> None:
    idea = approve(site, submit_idea(site))
    services.contribution_report(
        actor=site.anonymous, contribution_id=idea.pk, client_key="1.2.3.4"
    )
    assert services.contribution_reports_dismiss(actor=site.moderator, contribution_id=idea.pk) == 1
    assert selectors.public_contributions(site.concept).get() == idea


def test_only_public_contributions_can_be_reported(site: Site) -> None:
    idea = submit_idea(site)
    response = site.client("anonymous").post(
        f"/api/v1/contributions/{idea.pk}/report/", {}, content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("staff", True),
        ("moderator", True),
        ("member", False),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_may_moderate(site: Site, persona: str, allowed: bool) -> None:
    idea = submit_idea(site, actor=site.drafter)
    client = site.client(persona)
    api = client.post(
        f"/api/v1/contributions/{idea.pk}/moderate/",
        {"decision": "approve"},
        content_type="application/json",
    )
    page = client.get(reverse("participation:moderation"))
    if allowed:
        assert api.status_code == 200 and api.json()["state"] == "approved"
        assert page.status_code == 200
    else:
        assert api.status_code in (401, 403, 404)
        assert page.status_code in (302, 404)
        assert Contribution.objects.get().state == Contribution.State.PENDING
        with pytest.raises(Forbidden):
            services.contribution_moderate(
                actor=site.persona(persona), contribution_id=idea.pk, decision="approve"
            )


# --- abuse -----------------------------------------------------------------------------------


def test_submissions_are_rate_limited_per_account(site: Site, settings: object) -> None:
    settings.PARTICIPATION_RATE_LIMITS = {"contribution": (2, 600)}  # type: ignore[attr-defined]
    submit_idea(site, title="1")
    submit_idea(site, title="2")
    with pytest.raises(RateLimited):
        submit_idea(site, title="3")
    submit_idea(site, title="anderes Konto", actor=site.member)
    response = site.client("outsider").post(
        f"/api/v1/concepts/{site.concept.slug}/contributions/",
        {"kind": "question", "body": "Noch eine?"},
        content_type="application/json",
    )
    assert response.status_code == 429


def test_the_limit_resets_after_its_window(
    site: Site, settings: object, clock: time_machine.Coordinates
) -> None:
    settings.PARTICIPATION_RATE_LIMITS = {"contribution": (1, 600)}  # type: ignore[attr-defined]
    submit_idea(site, title="1")
    with pytest.raises(RateLimited):
        submit_idea(site, title="2")
    clock.shift(timedelta(seconds=600))
    assert submit_idea(site, title="3").pk


def test_a_filled_honeypot_is_refused(site: Site) -> None:
    with pytest.raises(Invalid):
        submit_idea(site, website="https://spam.example")
    response = site.client("outsider").post(
        reverse("participation:opinions"),
        {"kind": "opinion", "body": "Kauft Uhren!", "website": "spam"},
    )
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_texts_have_length_limits(site: Site) -> None:
    with pytest.raises(Invalid):
        services.contribution_submit(
            actor=site.outsider, concept=site.concept, kind="opinion", body="x" * 4001
        )


def test_rendering_is_sanitised(site: Site) -> None:
    idea = approve(
        site,
        services.contribution_submit(
            actor=site.outsider,
            concept=site.concept,
            kind="opinion",
            body=(
                "<script>alert(1)</script> [klick](javascript:alert(1)) "
                "<img src=x onerror=alert(1)>"
            ),
        ),
    )
    html = (
        site.client("anonymous")
        .get(reverse("participation:contribution", args=[idea.pk]))
        .content.decode()
    )
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in idea.body_html and "&lt;img src=x onerror" in idea.body_html


def test_the_concept_page_invites_questions_and_shows_approved_ones(site: Site) -> None:
    question = services.contribution_submit(
        actor=site.outsider, concept=site.concept, kind="question", body="Wann wird beschlossen?"
    )
    anonymous = Client()
    assert "Wann wird beschlossen?" not in anonymous.get("/").content.decode()
    approve(site, question)
    page = anonymous.get("/").content.decode()
    assert "Wann wird beschlossen?" in page
    assert reverse("participation:opinions") in page
    form = f'action="{reverse("participation:opinions")}"'
    assert form not in page
    assert form in site.client("member").get("/").content.decode()


def test_moderators_approve_and_link_on_the_queue_page(site: Site) -> None:
    idea = submit_idea(site)
    client = site.client("moderator")
    url = reverse("participation:moderate", args=[idea.pk])

    assert client.post(url, {"decision": "reject"}).status_code == 302  # no reason: refused
    assert Contribution.objects.get().state == Contribution.State.PENDING
    client.post(url, {"decision": "approve"})
    client.post(url, {"goal_link": "1", f"c{idea.pk}-goal": site.goal.pk})
    client.post(url, {"goal_link": "1", f"c{idea.pk}-goal": site.other_goal.pk})  # other field

    idea.refresh_from_db()
    assert idea.state == Contribution.State.APPROVED and idea.goal == site.goal
