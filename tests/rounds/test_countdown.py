"""Agenda items have a server-kept countdown: the deadline comes from the server's clock,
events carry it, and what is left is computed from it, never from a client's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deliberation.models import AgendaItem, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds import services as round_services
from tests.rounds.conftest import Clock, Demo, events, to_phase

pytestmark = pytest.mark.django_db


def _open(demo: Demo) -> Round:
    return round_services.round_open(
        actor=demo.moderator,
        circle=demo.circle,
        agenda=[{"goal": demo.goals[0].pk, "time_box": 600}, {"goal": demo.goals[1].pk}],
    )


def _item(round_: Round, order: int) -> AgendaItem:
    return round_.agenda.get(order=order)


def test_starting_an_item_sets_its_deadline_from_the_server_clock(demo: Demo, clock: Clock) -> None:
    round_ = _open(demo)
    started_at = clock.advance(30)
    round_services.agenda_item_start(
        actor=demo.moderator, circle=demo.circle, item_id=_item(round_, 1).pk
    )
    item = _item(round_, 1)
    assert item.started_at == started_at
    assert item.deadline == started_at + timedelta(seconds=600)
    payload = events(demo.circle, "agenda.item_started")[-1].payload
    assert payload["item"]["deadline"] == (started_at + timedelta(seconds=600)).isoformat()
    assert payload["item"]["remaining"] == 600
    assert payload["server_time"] == started_at.isoformat()
    round_.refresh_from_db()
    assert round_.current_item_id == item.pk


def test_remaining_time_counts_down_and_stops_at_zero(demo: Demo, clock: Clock) -> None:
    round_ = _open(demo)
    round_services.agenda_item_start(
        actor=demo.moderator, circle=demo.circle, item_id=_item(round_, 1).pk
    )
    clock.advance(250.4)
    assert round_selectors.round_state(round_)["agenda"][0]["remaining"] == 350
    clock.advance(400)
    assert round_selectors.round_state(round_)["agenda"][0]["remaining"] == 0


def test_restarting_an_item_restarts_its_countdown(demo: Demo, clock: Clock) -> None:
    round_ = _open(demo)
    item_id = _item(round_, 1).pk
    round_services.agenda_item_start(actor=demo.moderator, circle=demo.circle, item_id=item_id)
    restarted = clock.advance(500)
    round_services.agenda_item_start(actor=demo.moderator, circle=demo.circle, item_id=item_id)
    assert _item(round_, 1).deadline == restarted + timedelta(seconds=600)


def test_item_without_time_box_has_no_deadline(demo: Demo) -> None:
    round_ = _open(demo)
    round_services.agenda_item_start(
        actor=demo.moderator, circle=demo.circle, item_id=_item(round_, 2).pk
    )
    payload = events(demo.circle, "agenda.item_started")[-1].payload
    assert (payload["item"]["deadline"], payload["item"]["remaining"]) == (None, None)


def test_next_item_becomes_the_current_one(demo: Demo) -> None:
    round_ = _open(demo)
    for order in (1, 2):
        round_services.agenda_item_start(
            actor=demo.moderator, circle=demo.circle, item_id=_item(round_, order).pk
        )
    round_.refresh_from_db()
    assert round_.current_item_id == _item(round_, 2).pk


def test_a_new_phase_starts_without_a_running_item(demo: Demo) -> None:
    round_ = _open(demo)
    round_services.agenda_item_start(
        actor=demo.moderator, circle=demo.circle, item_id=_item(round_, 1).pk
    )
    to_phase(demo, Round.Phase.EVALUATION)
    round_.refresh_from_db()
    assert round_.current_item_id is None


def test_item_of_another_round_is_not_found(demo: Demo) -> None:
    from kernel.errors import NotFound

    _open(demo)
    with pytest.raises(NotFound):
        round_services.agenda_item_start(actor=demo.moderator, circle=demo.circle, item_id=10**9)


@pytest.mark.parametrize("time_box", [0, 5, 8 * 3600 + 1, "600", True])
def test_time_box_out_of_range_is_refused(demo: Demo, time_box: object) -> None:
    from kernel.errors import Invalid

    with pytest.raises(Invalid):
        round_services.round_open(
            actor=demo.moderator,
            circle=demo.circle,
            agenda=[{"goal": demo.goals[0].pk, "time_box": time_box}],
        )
    assert not Round.objects.exists()
