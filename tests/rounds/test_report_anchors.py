"""The round report shows where each anchored comment stands in the revised version
(deliberation.anchors via goal_version_publish)."""

from __future__ import annotations

import pytest
from django.test import Client

from deliberation import services
from deliberation.models import AnchorPlacement, Round
from deliberation.rounds import services as round_services
from tests.rounds.conftest import Demo, open_round, to_phase

pytestmark = pytest.mark.django_db


def test_report_shows_carried_and_orphaned_anchors_after_publishing(demo: Demo) -> None:
    kita = demo.goals[0]
    round1 = open_round(demo)
    text = kita.current_version.text
    first = kita.current_version.paragraphs[0]
    kept, gone = first, kita.current_version.paragraphs[-1]
    assert kept != gone
    posted = {}
    for name, paragraph, quote in (
        ("kept", 1, kept[:40]),
        ("gone", len(kita.current_version.paragraphs), gone),
    ):
        posted[name], _created = services.comment_post(
            actor=demo.experts[0],
            circle=demo.circle,
            goal_id=kita.pk,
            body=f"Zu {name}.",
            anchor_paragraph=paragraph,
            anchor_quote=quote,
        )
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION)
    round_services.goal_version_publish(
        actor=demo.drafter,
        circle=demo.circle,
        goal_id=kita.pk,
        text=text.replace(gone, "").strip(),
    )
    states = {
        name: AnchorPlacement.objects.get(comment=comment).state for name, comment in posted.items()
    }
    assert states == {"kept": "carried", "gone": "orphaned"}
    url = f"/raeume/{demo.circle.slug}/runden/{round1.number}/auswertung/"
    page = Client().get(url).content.decode()
    kept_item = page[page.index(f'id="rueckmeldung-comment-{posted["kept"].pk}"') :]
    assert "übernommen" in kept_item[: kept_item.index("</li>")]
    gone_item = page[page.index(f'id="rueckmeldung-comment-{posted["gone"].pk}"') :]
    gone_item = gone_item[: gone_item.index("</li>")]
    assert "verwaist" in gone_item
    assert f"/fassungen/1/#absatz-{len(kita.current_version.paragraphs)}" in gone_item
    markdown = Client().get(url.rstrip("/") + ".md").content.decode()
    assert "Stelle im Text" in markdown and "verwaist in Fassung 2" in markdown
