"""The vote count, the canonical record and its digest. Standard library only, on purpose.

This module is the reference implementation the server counts with *and* the program anyone
can download from a result page to recompute a published result on their own machine::

    python3 tally.py record.json            # a downloaded copy of this file
    python -m voting.verify record.json     # inside the project

Nothing here imports Django, reads a database or knows who anybody is: a count is a pure
function of the rule, the number of eligible voters and the ballots.

Shares (quorum, threshold) are exact fractions written as ``"2/3"``, never floats, so every
language compares them the same way. Canonical JSON is ``json.dumps(obj, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8; the digest is the SHA-256 of
those bytes. The published record file *is* its canonical form, so ``sha256sum record.json``
prints the digest too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

FORMAT = "konsens-vote-record/1"

CONSENT = "consent"
MAJORITY = "majority"
RESISTANCE = "resistance"
METHODS = (CONSENT, MAJORITY, RESISTANCE)

CONSENT_CHOICES = ("consent", "consent_with_concerns", "abstain", "veto")
MAJORITY_CHOICES = ("yes", "no", "abstain")
CHOICES = {CONSENT: CONSENT_CHOICES, MAJORITY: MAJORITY_CHOICES}
RESISTANCE_MIN = 0
RESISTANCE_MAX = 10

AT_LEAST = "at_least"
MORE_THAN = "more_than"
THRESHOLD_MODES = (AT_LEAST, MORE_THAN)

ADOPTED = "adopted"
REJECTED = "rejected"
NO_QUORUM = "no_quorum"


class RecordError(ValueError):
    """A rule, ballot or record that does not follow this module's format."""


# --- canonical form --------------------------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """The one byte sequence a JSON value stands for: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def digest(obj: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``obj``."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def sort_ballots(ballots: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ballots in canonical order: by their own canonical JSON. The order of casting is
    thereby forgotten, which a secret ballot needs and an open one does not mind."""
    return sorted(ballots, key=canonical_json)


# --- shares ----------------------------------------------------------------------------------


def parse_share(value: Any, *, name: str = "share") -> Fraction:
    """``"2/3"``, ``"0.5"`` or a Fraction → a Fraction between 0 and 1 (floats refused)."""
    if isinstance(value, Fraction):
        share = value
    elif isinstance(value, str):
        try:
            share = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise RecordError(f"{name}: {value!r} is not a fraction like 2/3") from None
    else:
        raise RecordError(f"{name}: {value!r} is not a fraction written as text")
    if not 0 <= share <= 1:
        raise RecordError(f"{name}: {value!r} is not between 0 and 1")
    return share


def format_share(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def reaches(part: int, whole: int, share: Fraction, mode: str = AT_LEAST) -> bool:
    """Whether ``part / whole`` reaches ``share`` (``at_least``: ≥, ``more_than``: >).

    Integer arithmetic only. An empty whole (0) reaches nothing: no ballots, no decision."""
    if whole <= 0:
        return False
    left, right = part * share.denominator, share.numerator * whole
    return left > right if mode == MORE_THAN else left >= right


# --- rules and ballots -----------------------------------------------------------------------


def check_rule(rule: dict[str, Any]) -> None:
    """Raise ``RecordError`` unless ``rule`` is a complete rule of a known method."""
    method = rule.get("method")
    if method not in METHODS:
        raise RecordError(f"rule: unknown method {method!r}")
    parse_share(rule.get("quorum"), name="quorum")
    if method in (CONSENT, MAJORITY):
        threshold = parse_share(rule.get("threshold"), name="threshold")
        if threshold == 0:
            raise RecordError("threshold: must be more than 0")
        if rule.get("threshold_mode") not in THRESHOLD_MODES:
            raise RecordError(f"threshold_mode: {rule.get('threshold_mode')!r} is unknown")
    if method == CONSENT and not isinstance(rule.get("veto_blocks"), bool):
        raise RecordError("veto_blocks: must be true or false")


def check_ballot(
    method: str, ballot: dict[str, Any], alternatives: Sequence[str] | None = None
) -> None:
    """Raise ``RecordError`` unless ``ballot`` is a valid ballot for ``method``."""
    if method == RESISTANCE:
        given = ballot.get("resistances")
        if not isinstance(given, dict):
            raise RecordError("ballot: resistances missing")
        if alternatives is not None and sorted(given) != sorted(alternatives):
            raise RecordError("ballot: needs a resistance for every alternative, and only those")
        for label, value in given.items():
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not RESISTANCE_MIN <= value <= RESISTANCE_MAX
            ):
                raise RecordError(f"ballot: resistance for {label} must be an integer 0–10")
        return
    if ballot.get("choice") not in CHOICES[method]:
        raise RecordError(f"ballot: {ballot.get('choice')!r} is not a choice of {method}")
    if method == CONSENT and ballot["choice"] == "veto" and not str(ballot.get("reason", "")):
        raise RecordError("ballot: a veto needs a reason")


# --- the count -------------------------------------------------------------------------------


def resistance_key(
    totals: dict[str, int], values: dict[str, list[int]], labels: Sequence[str]
) -> Callable[[str], tuple[int, list[int], int]]:
    """The ranking key of each alternative; the smallest key wins.

    1. the least total resistance;
    2. on a tie, the alternative whose individual resistances, each sorted from the highest
       down, are smaller at the first place they differ (so first a lower maximum, then fewer
       ballots at that maximum, then a lower second-highest value, …);
    3. if still tied, the alternative listed first (its position in the motion).
    """
    position = {label: i for i, label in enumerate(labels)}
    return lambda label: (totals[label], sorted(values[label], reverse=True), position[label])


def count(
    rule: dict[str, Any],
    eligible: int,
    ballots: Sequence[dict[str, Any]],
    alternatives: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Count ``ballots`` under ``rule`` with ``eligible`` voters; returns the result.

    ``alternatives`` (labels in motion order) is needed for ``resistance`` only.

    - quorum: participants (every ballot, abstentions included) / eligible ≥ quorum;
    - consent: adopted iff the quorum is met, (consent + consent with concerns) /
      (all ballots but abstentions) reaches the threshold, and — if vetoes block — nobody
      vetoed; without blocking a veto counts as not consenting;
    - majority: adopted iff the quorum is met and yes / (yes + no) reaches the threshold;
    - resistance: if the quorum is met and anyone voted, the alternative with the least total
      resistance wins (ties: see ``resistance_key``) and is adopted.

    An outcome is ``no_quorum`` whenever the quorum is missed, whatever the ballots say.
    """
    check_rule(rule)
    method = rule["method"]
    if not isinstance(eligible, int) or eligible < 1:
        raise RecordError("eligible: must be a positive integer")
    if len(ballots) > eligible:
        raise RecordError("more ballots than eligible voters")
    if method == RESISTANCE:
        if not alternatives or len(alternatives) < 2:
            raise RecordError("a resistance vote needs at least two alternatives")
        if len(set(alternatives)) != len(alternatives):
            raise RecordError("alternative labels must be unique")
    for ballot in ballots:
        check_ballot(method, ballot, alternatives)

    participants = len(ballots)
    quorum_met = reaches(participants, eligible, parse_share(rule["quorum"]))
    result: dict[str, Any] = {
        "eligible": eligible,
        "participants": participants,
        "quorum_met": quorum_met,
        "winner": None,
    }

    if method == RESISTANCE:
        assert alternatives is not None
        values: dict[str, list[int]] = {label: [] for label in alternatives}
        for ballot in ballots:
            for label, value in ballot["resistances"].items():
                values[label].append(value)
        totals = {label: sum(v) for label, v in values.items()}
        ranking = sorted(alternatives, key=resistance_key(totals, values, alternatives))
        result["counts"] = totals
        result["ranking"] = ranking
        if not quorum_met:
            result["outcome"] = NO_QUORUM
        elif participants == 0:
            result["outcome"] = REJECTED
        else:
            result["outcome"] = ADOPTED
            result["winner"] = ranking[0]
        return result

    counts = {choice: 0 for choice in CHOICES[method]}
    for ballot in ballots:
        counts[ballot["choice"]] += 1
    if method == CONSENT:
        support = counts["consent"] + counts["consent_with_concerns"]
        decisive = support + counts["veto"]
        blocked = bool(rule["veto_blocks"]) and counts["veto"] > 0
    else:
        support = counts["yes"]
        decisive = counts["yes"] + counts["no"]
        blocked = False
    threshold = parse_share(rule["threshold"])
    threshold_met = reaches(support, decisive, threshold, rule["threshold_mode"])
    result["counts"] = counts
    result["share"] = f"{support}/{decisive}" if decisive else None
    result["threshold_met"] = threshold_met
    result["vetoed"] = blocked
    if not quorum_met:
        result["outcome"] = NO_QUORUM
    elif threshold_met and not blocked:
        result["outcome"] = ADOPTED
    else:
        result["outcome"] = REJECTED
    return result


def count_record(record: dict[str, Any]) -> dict[str, Any]:
    """Recount a published record from its own rule, eligible count and ballots."""
    if record.get("format") != FORMAT:
        raise RecordError(f"format: expected {FORMAT!r}, got {record.get('format')!r}")
    voters = [ballot["voter"]["id"] for ballot in record["ballots"] if "voter" in ballot]
    if len(voters) != len(set(voters)):
        raise RecordError("a voter appears on more than one ballot")
    alternatives = None
    if record["rule"].get("method") == RESISTANCE:
        alternatives = [alt["label"] for alt in record["subject"]["alternatives"]]
    return count(record["rule"], record["eligible"], record["ballots"], alternatives)


# --- verification ----------------------------------------------------------------------------


def verify(raw: bytes, expected_digest: str | None = None) -> list[str]:
    """Check a downloaded record; returns the list of problems (empty: all good)."""
    problems: list[str] = []
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not a JSON file: {exc}"]
    actual = digest(record)
    if expected_digest and actual != expected_digest.strip().lower():
        problems.append(f"digest differs: computed {actual}, published {expected_digest}")
    try:
        recount = count_record(record)
    except (RecordError, KeyError, TypeError) as exc:
        return [*problems, f"cannot recount: {exc}"]
    if recount != record.get("result"):
        problems.append(
            "the recount differs from the published result:\n"
            f"  recount:   {canonical_json(recount).decode()}\n"
            f"  published: {canonical_json(record.get('result')).decode()}"
        )
    if sort_ballots(record["ballots"]) != record["ballots"]:
        problems.append("ballots are not in canonical order")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or len(args) > 2:
        print("usage: python3 tally.py RECORD.json [PUBLISHED_SHA256]")
        return 2
    with open(args[0], "rb") as handle:
        raw = handle.read()
    expected = args[1] if len(args) > 1 else None
    problems = verify(raw, expected)
    try:
        record = json.loads(raw.decode("utf-8"))
        print(f"SHA-256 of the canonical record: {digest(record)}")
        print(
            f"file is byte-for-byte canonical: {'yes' if canonical_json(record) == raw else 'no'}"
        )
        print(f"outcome: {record['result']['outcome']}")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"cannot read the record: {exc}")
    if problems:
        for problem in problems:
            print(f"PROBLEM: {problem}")
        return 1
    print("OK: the recount matches the published result.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
