"""The count, as a pure function: every method, quorum, veto, ties and tie-breaks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting import tally

CONSENT_RULE = {
    "method": "consent",
    "quorum": "1/2",
    "threshold": "2/3",
    "threshold_mode": "at_least",
    "veto_blocks": True,
    "secret": False,
    "changeable": True,
    "deadline": None,
}
MAJORITY_RULE = {
    "method": "majority",
    "quorum": "1/2",
    "threshold": "1/2",
    "threshold_mode": "more_than",
    "secret": True,
    "changeable": True,
    "deadline": None,
}
RESISTANCE_RULE = {
    "method": "resistance",
    "quorum": "1/2",
    "secret": False,
    "changeable": True,
    "deadline": None,
}


def choices(*names: str) -> list[dict[str, Any]]:
    return [{"choice": name, "reason": "weil" if name == "veto" else ""} for name in names]


def resist(*rows: dict[str, int]) -> list[dict[str, Any]]:
    return [{"resistances": row, "reason": ""} for row in rows]


# --- consent ---------------------------------------------------------------------------------


def test_consent_with_two_thirds_support_and_no_veto_is_adopted() -> None:
    ballots = choices("consent", "consent_with_concerns", "abstain")
    result = tally.count(CONSENT_RULE, 4, ballots)
    assert result["outcome"] == "adopted"
    assert result["counts"] == {
        "consent": 1,
        "consent_with_concerns": 1,
        "abstain": 1,
        "veto": 0,
    }
    assert result["share"] == "2/2"
    assert result["quorum_met"] is True


def test_one_veto_blocks_consent_even_with_overwhelming_support() -> None:
    result = tally.count(CONSENT_RULE, 10, choices(*["consent"] * 9, "veto"))
    assert result["outcome"] == "rejected"
    assert result["vetoed"] is True
    assert result["threshold_met"] is True


def test_without_blocking_a_veto_only_counts_against() -> None:
    rule = {**CONSENT_RULE, "veto_blocks": False}
    assert tally.count(rule, 10, choices(*["consent"] * 9, "veto"))["outcome"] == "adopted"
    # 2 consent : 2 veto is 1/2, below 2/3
    assert tally.count(rule, 4, choices("consent", "consent", "veto", "veto"))["outcome"] == (
        "rejected"
    )


def test_consent_exactly_at_the_threshold_is_adopted_at_least_means_at_least() -> None:
    rule = {**CONSENT_RULE, "veto_blocks": False}
    result = tally.count(rule, 3, choices("consent", "consent_with_concerns", "veto"))
    assert result["share"] == "2/3"
    assert result["outcome"] == "adopted"


def test_consent_just_below_the_threshold_is_rejected() -> None:
    rule = {**CONSENT_RULE, "veto_blocks": False}
    result = tally.count(rule, 5, choices("consent", "consent", "consent", "veto", "veto"))
    assert result["share"] == "3/5"
    assert result["outcome"] == "rejected"


def test_abstentions_count_for_the_quorum_but_not_for_the_share() -> None:
    result = tally.count(CONSENT_RULE, 4, choices("consent", "abstain"))
    assert result["quorum_met"] is True
    assert result["share"] == "1/1"
    assert result["outcome"] == "adopted"


def test_only_abstentions_decide_nothing_and_are_rejected() -> None:
    result = tally.count(CONSENT_RULE, 2, choices("abstain", "abstain"))
    assert result["share"] is None
    assert result["outcome"] == "rejected"


def test_missed_quorum_wins_over_unanimous_consent() -> None:
    result = tally.count(CONSENT_RULE, 7, choices("consent", "consent", "consent"))
    assert result["quorum_met"] is False
    assert result["outcome"] == "no_quorum"


def test_quorum_of_exactly_half_is_met() -> None:
    assert tally.count(CONSENT_RULE, 6, choices("consent", "consent", "consent"))["quorum_met"]


# --- majority --------------------------------------------------------------------------------


def test_majority_needs_more_than_half_so_a_tie_is_rejected() -> None:
    result = tally.count(MAJORITY_RULE, 4, choices("yes", "yes", "no", "no"))
    assert result["share"] == "2/4"
    assert result["threshold_met"] is False
    assert result["outcome"] == "rejected"


def test_majority_at_least_half_adopts_a_tie_when_configured() -> None:
    rule = {**MAJORITY_RULE, "threshold_mode": "at_least"}
    assert tally.count(rule, 4, choices("yes", "yes", "no", "no"))["outcome"] == "adopted"


def test_majority_ignores_abstentions_in_the_share() -> None:
    result = tally.count(MAJORITY_RULE, 5, choices("yes", "abstain", "abstain", "abstain"))
    assert result["counts"] == {"yes": 1, "no": 0, "abstain": 3}
    assert result["outcome"] == "adopted"


def test_majority_with_configured_two_thirds_threshold() -> None:
    rule = {**MAJORITY_RULE, "threshold": "2/3", "threshold_mode": "at_least"}
    assert tally.count(rule, 3, choices("yes", "yes", "no"))["outcome"] == "adopted"
    assert tally.count(rule, 5, choices("yes", "yes", "yes", "no", "no"))["outcome"] == ("rejected")


def test_majority_missed_quorum() -> None:
    assert tally.count(MAJORITY_RULE, 5, choices("yes", "yes"))["outcome"] == "no_quorum"


# --- resistance ------------------------------------------------------------------------------


def test_least_total_resistance_wins() -> None:
    ballots = resist({"A": 8, "B": 2, "C": 5}, {"A": 6, "B": 3, "C": 0}, {"A": 0, "B": 4, "C": 9})
    result = tally.count(RESISTANCE_RULE, 3, ballots, ["A", "B", "C"])
    assert result["counts"] == {"A": 14, "B": 9, "C": 14}
    assert result["winner"] == "B"
    assert result["outcome"] == "adopted"
    # A and C tie at 14; C's highest single resistance (9) is higher than A's (8)
    assert result["ranking"] == ["B", "A", "C"]


def test_resistance_tie_goes_to_the_lower_highest_single_resistance() -> None:
    ballots = resist({"A": 10, "B": 5}, {"A": 0, "B": 5})
    result = tally.count(RESISTANCE_RULE, 2, ballots, ["A", "B"])
    assert result["counts"] == {"A": 10, "B": 10}
    assert result["winner"] == "B"


def test_resistance_tie_with_the_same_maximum_compares_the_next_highest() -> None:
    ballots = resist({"A": 7, "B": 7}, {"A": 3, "B": 5}, {"A": 5, "B": 3}, {"A": 5, "B": 5})
    # totals 20 : 20; sorted A = [7,5,5,3], B = [7,5,5,3] — identical, so the order decides
    result = tally.count(RESISTANCE_RULE, 4, ballots, ["B", "A"])
    assert result["winner"] == "B"
    ballots = resist({"A": 7, "B": 7}, {"A": 6, "B": 5}, {"A": 2, "B": 3})
    # totals 15 : 15; A = [7,6,2], B = [7,5,3]: at the second place B is lower
    assert tally.count(RESISTANCE_RULE, 3, ballots, ["A", "B"])["winner"] == "B"


def test_resistance_full_tie_goes_to_the_alternative_listed_first() -> None:
    ballots = resist({"A": 4, "B": 4, "C": 4})
    result = tally.count(RESISTANCE_RULE, 2, ballots, ["C", "A", "B"])
    assert result["ranking"] == ["C", "A", "B"]
    assert result["winner"] == "C"


def test_resistance_missed_quorum_has_no_winner() -> None:
    result = tally.count(RESISTANCE_RULE, 5, resist({"A": 0, "B": 1}), ["A", "B"])
    assert result["outcome"] == "no_quorum"
    assert result["winner"] is None


def test_resistance_ballot_must_rate_every_alternative() -> None:
    with pytest.raises(tally.RecordError):
        tally.count(RESISTANCE_RULE, 2, resist({"A": 1}), ["A", "B"])
    with pytest.raises(tally.RecordError):
        tally.count(RESISTANCE_RULE, 2, resist({"A": 1, "B": 11}), ["A", "B"])


# --- shares, digest, record ------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["3/2", "-1/2", "x", "1/0", 0.5])
def test_shares_are_fractions_between_zero_and_one(bad: Any) -> None:
    with pytest.raises(tally.RecordError):
        tally.parse_share(bad)


def test_more_ballots_than_eligible_voters_is_refused() -> None:
    with pytest.raises(tally.RecordError):
        tally.count(CONSENT_RULE, 1, choices("consent", "consent"))


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert tally.canonical_json({"b": "„ä“", "a": [1, 2]}) == '{"a":[1,2],"b":"„ä“"}'.encode()


@given(
    st.lists(
        st.sampled_from(tally.CONSENT_CHOICES).map(
            lambda c: {"choice": c, "reason": "r" if c == "veto" else ""}
        ),
        max_size=12,
    ),
    st.randoms(),
)
def test_count_and_canonical_order_do_not_depend_on_the_casting_order(
    ballots: list[dict[str, Any]], rnd: Any
) -> None:
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally.sort_ballots(shuffled) == tally.sort_ballots(ballots)
    assert tally.count(CONSENT_RULE, 12, shuffled) == tally.count(CONSENT_RULE, 12, ballots)


def _record(ballots: list[dict[str, Any]]) -> dict[str, Any]:
    ballots = tally.sort_ballots(ballots)
    return {
        "format": tally.FORMAT_V1,  # a record from before commitments (test_trust.py: format 2)
        "motion": {"id": 1},
        "rule": CONSENT_RULE,
        "subject": {"version": {"id": 1, "number": 1, "text": "Text"}},
        "eligible": 3,
        "ballots": ballots,
        "result": tally.count(CONSENT_RULE, 3, ballots),
    }


def test_verify_accepts_an_honest_record_and_its_digest() -> None:
    record = _record(choices("consent", "veto"))
    raw = tally.canonical_json(record)
    assert tally.verify(raw, tally.digest(record)) == []


def test_verify_notices_a_changed_ballot_and_a_changed_result() -> None:
    record = _record(choices("consent", "consent"))
    published = tally.digest(record)
    record["ballots"][0]["choice"] = "veto"
    record["ballots"][0]["reason"] = "x"
    problems = tally.verify(tally.canonical_json(record), published)
    assert any("digest differs" in p for p in problems)
    assert any("recount differs" in p for p in problems)


def test_verify_reencodes_a_pretty_printed_copy() -> None:
    record = _record(choices("consent"))
    pretty = json.dumps(record, indent=2).encode()
    assert tally.verify(pretty, tally.digest(record)) == []
