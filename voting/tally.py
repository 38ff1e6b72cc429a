"""The vote count, the canonical record and its digest. Standard library only, on purpose.

This module is the reference implementation the server counts with *and* the program anyone
can download from a result page to recompute a published result on their own machine::

    python3 tally.py record.json            # a downloaded copy of this file
    python -m voting.verify record.json     # inside the project

Nothing here imports Django, reads a database or knows who anybody is: a count is a pure
function of the rule, the number of eligible voters and the ballots.

Shares (quorum, threshold) are exact fractions written as ``"2/3"``, never floats, so every
language compares them the same way. They are read as *bounded* numbers (at most six digits
each side, no exponent): ``Fraction("1e-99999999")`` would compute a number with a hundred
million digits, so the parser never hands a string to ``Fraction`` it has not checked.

Canonical JSON is ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8; the digest is the SHA-256 of
those bytes. The published record file *is* its canonical form, so ``sha256sum record.json``
prints the digest too.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

FORMAT = "konsens-vote-record/2"
FORMAT_V1 = "konsens-vote-record/1"  # records closed before commitments existed
FORMATS = (FORMAT, FORMAT_V1)
COMMITMENT_FORMAT = "konsens-vote-commitment/1"

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

# The quorum's base (``rule["quorum_basis"]``, absent = all eligible voters): attendance.
QUORUM_ELIGIBLE = "eligible"
QUORUM_PRESENT = "present"
QUORUM_BASES = (QUORUM_ELIGIBLE, QUORUM_PRESENT)

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


# --- the commitment made at opening ---------------------------------------------------------


def electorate_hash(voter_ids: Sequence[int]) -> str:
    """SHA-256 of the canonical JSON of the eligible voters' ids, sorted ascending."""
    return digest(sorted(voter_ids))


def commitment(
    *,
    motion: dict[str, Any],
    rule: dict[str, Any],
    subject: dict[str, Any],
    voter_ids: Sequence[int],
    represented_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """What a motion commits to when it opens: its rule, the exact text voted on (or the
    alternatives) and the electorate (how many, and a hash of who). Its ``digest`` is the
    motion's *fingerprint*, published at once; the record repeats this document, so anyone
    can check that nothing of it changed between opening and close.

    ``represented_ids`` (a motion that took a roll call): the absent eligible voters whose
    deputy may cast their ballot, committed as their number and a hash of their ids (never
    names), so no deputy right can be added or taken away while the vote runs unnoticed."""
    document: dict[str, Any] = {
        "format": COMMITMENT_FORMAT,
        "motion": motion,
        "rule": rule,
        "subject": subject,
        "electorate": {"eligible": len(voter_ids), "voters_sha256": electorate_hash(voter_ids)},
    }
    if represented_ids is not None:
        document["deputies"] = {
            "represented": len(represented_ids),
            "represented_sha256": electorate_hash(represented_ids),
        }
    return document


def _check_deputies(
    committed: dict[str, Any] | None, record: dict[str, Any], voters: list[Any]
) -> list[str]:
    """The deputy rights the record lists against the ones committed at opening."""
    attendance = record.get("attendance")
    listed = attendance.get("represented") if isinstance(attendance, dict) else None
    if committed is None:
        if listed is not None:
            return ["the record lists deputy rights that were not committed at opening"]
        return []
    if not isinstance(listed, list):
        return ["the record lists no deputy rights, but they were committed at opening"]
    problems: list[str] = []
    if (
        listed != sorted(set(listed))
        or len(listed) != committed.get("represented")
        or electorate_hash(listed) != committed.get("represented_sha256")
    ):
        problems.append("the deputy rights differ from the ones committed at opening")
    if not set(listed) <= set(voters):
        problems.append("a deputy right is for somebody who was not eligible")
    deputies = attendance.get("deputies") if isinstance(attendance, dict) else None
    if isinstance(deputies, dict) and deputies.get("registered") != len(listed):
        problems.append("the number of deputy rights differs from the deputies registered")
    return problems


def check_commitment(record: dict[str, Any], expected_fingerprint: str | None = None) -> list[str]:
    """The problems of a record's opening commitment and electorate (empty: all agree)."""
    problems: list[str] = []
    opening = record.get("opening")
    fingerprint = record.get("fingerprint")
    if not isinstance(opening, dict) or not isinstance(fingerprint, str):
        return ["the record carries no commitment made at opening"]
    if digest(opening) != fingerprint:
        problems.append(
            f"fingerprint differs: the opening commitment hashes to {digest(opening)}, "
            f"the record says {fingerprint}"
        )
    if expected_fingerprint and fingerprint != expected_fingerprint.strip().lower():
        problems.append(
            f"fingerprint differs: record {fingerprint}, published at opening "
            f"{expected_fingerprint}"
        )
    if opening.get("format") != COMMITMENT_FORMAT:
        problems.append(f"commitment format: expected {COMMITMENT_FORMAT!r}")
    for key in ("rule", "subject"):
        if opening.get(key) != record.get(key):
            problems.append(f"the {key} differs from the one committed at opening")
    if (opening.get("motion") or {}).get("id") != (record.get("motion") or {}).get("id"):
        problems.append("the commitment belongs to another motion")
    committed = opening.get("electorate") or {}
    electorate = record.get("electorate") or {}
    voters = electorate.get("voters")
    took_part = electorate.get("took_part")
    if not isinstance(voters, list) or not isinstance(took_part, list):
        return [*problems, "the record lists no electorate"]
    if committed.get("eligible") != record.get("eligible") or len(voters) != record.get("eligible"):
        problems.append("the number of eligible voters differs from the one committed at opening")
    if voters != sorted(set(voters)) or electorate_hash(voters) != committed.get("voters_sha256"):
        problems.append("the eligible voters differ from the ones committed at opening")
    if took_part != sorted(set(took_part)) or not set(took_part) <= set(voters):
        problems.append("somebody took part who was not eligible")
    cast = record.get("cast")
    if cast != len(record.get("ballots") or []):
        problems.append(f"{cast} ballots were cast but the record lists {len(record['ballots'])}")
    if cast != len(took_part):
        problems.append(f"{cast} ballots were cast by {len(took_part)} voters")
    named = sorted(b["voter"]["id"] for b in record.get("ballots") or [] if "voter" in b)
    if named and named != took_part:
        problems.append("the named ballots are not those of the voters who took part")
    return problems + _check_deputies(opening.get("deputies"), record, voters)


# --- shares ----------------------------------------------------------------------------------


SHARE_DIGITS = 6  # digits of a numerator, a denominator, or either side of a decimal point
SHARE_MAX_LENGTH = 2 * SHARE_DIGITS + 8  # with a separator and some spaces
_SHARE_FRACTION = re.compile(r"\s*(\d{1,6})\s*/\s*(\d{1,6})\s*", re.ASCII)
_SHARE_DECIMAL = re.compile(r"\s*(\d{1,6})(?:[.,](\d{1,6}))?\s*", re.ASCII)  # 0.5 or 0,5


def parse_share(value: Any, *, name: str = "share") -> Fraction:
    """``"2/3"``, ``"0.5"`` (or ``"0,5"``) or a Fraction → a Fraction between 0 and 1.

    Bounded: at most six digits in the numerator, the denominator, or either side of the
    decimal point; no sign, no exponent, no floats. Anything else is refused at once, in time
    proportional to nothing more than ``SHARE_MAX_LENGTH``."""
    if isinstance(value, Fraction):
        share = value
        if max(abs(share.numerator), share.denominator) >= 10**SHARE_DIGITS:
            raise RecordError(f"{name}: {share} has more than {SHARE_DIGITS} digits")
    elif isinstance(value, str):
        if len(value) > SHARE_MAX_LENGTH:
            raise RecordError(f"{name}: too long for a fraction like 2/3")
        if match := _SHARE_FRACTION.fullmatch(value):
            numerator, denominator = int(match[1]), int(match[2])
            if denominator == 0:
                raise RecordError(f"{name}: {value!r} divides by zero")
            share = Fraction(numerator, denominator)
        elif match := _SHARE_DECIMAL.fullmatch(value):
            decimals = match[2] or ""
            share = Fraction(int(match[1] + decimals), 10 ** len(decimals))
        else:
            raise RecordError(f"{name}: {value!r} is not a fraction like 2/3 or 0.5")
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
    # Attendance (optional keys): the roll call the motion uses, by its number, and whether
    # the quorum counts over the eligible voters present at it.
    roll_call = rule.get("roll_call")
    if "roll_call" in rule and (
        not isinstance(roll_call, int) or isinstance(roll_call, bool) or roll_call < 1
    ):
        raise RecordError("roll_call: must be the number of a roll call when given")
    if rule.get("quorum_basis", QUORUM_ELIGIBLE) not in QUORUM_BASES:
        raise RecordError(f"quorum_basis: {rule.get('quorum_basis')!r} is unknown")
    if rule.get("quorum_basis") == QUORUM_PRESENT and "roll_call" not in rule:
        raise RecordError("quorum_basis: present needs a roll call")


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
    present: int | None = None,
) -> dict[str, Any]:
    """Count ``ballots`` under ``rule`` with ``eligible`` voters; returns the result.

    ``alternatives`` (labels in motion order) is needed for ``resistance`` only; ``present``
    (eligible voters present at the roll call) for ``quorum_basis: present`` only.

    - quorum: participants (every ballot, abstentions included) / eligible ≥ quorum; with
      ``quorum_basis: present``, participants / present (a deputy's ballot counts as a
      participant like any other);
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
    base = eligible
    if rule.get("quorum_basis") == QUORUM_PRESENT:
        if not isinstance(present, int) or isinstance(present, bool) or not 0 < present <= eligible:
            raise RecordError("present: must be a positive integer up to eligible")
        base = present
    quorum_met = reaches(participants, base, parse_share(rule["quorum"]))
    result: dict[str, Any] = {
        "eligible": eligible,
        "participants": participants,
        "quorum_met": quorum_met,
        "winner": None,
    }
    if rule.get("quorum_basis") == QUORUM_PRESENT:
        result["present"] = present

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
    if record.get("format") not in FORMATS:
        raise RecordError(f"format: expected {FORMAT!r}, got {record.get('format')!r}")
    voters = [ballot["voter"]["id"] for ballot in record["ballots"] if "voter" in ballot]
    if len(voters) != len(set(voters)):
        raise RecordError("a voter appears on more than one ballot")
    alternatives = None
    if record["rule"].get("method") == RESISTANCE:
        alternatives = [alt["label"] for alt in record["subject"]["alternatives"]]
    present = (record.get("attendance") or {}).get("present")
    return count(record["rule"], record["eligible"], record["ballots"], alternatives, present)


# --- verification ----------------------------------------------------------------------------


def verify(
    raw: bytes, expected_digest: str | None = None, expected_fingerprint: str | None = None
) -> list[str]:
    """Check a downloaded record; returns the list of problems (empty: all good).

    ``expected_digest`` is the digest published at close, ``expected_fingerprint`` the
    fingerprint published at opening. A record of format 2 must also carry its opening
    commitment, its electorate and the number of ballots cast, and they must agree."""
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
    if record.get("format") != FORMAT_V1:
        problems += check_commitment(record, expected_fingerprint)
    elif expected_fingerprint:
        problems.append("this record was made before fingerprints: nothing to compare")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or len(args) > 3:
        print("usage: python3 tally.py RECORD.json [PUBLISHED_SHA256 [OPENING_FINGERPRINT]]")
        return 2
    with open(args[0], "rb") as handle:
        raw = handle.read()
    expected = args[1] if len(args) > 1 else None
    fingerprint = args[2] if len(args) > 2 else None
    problems = verify(raw, expected, fingerprint)
    try:
        record = json.loads(raw.decode("utf-8"))
        print(f"SHA-256 of the canonical record: {digest(record)}")
        if isinstance(record.get("opening"), dict):
            print(f"fingerprint committed at opening: {digest(record['opening'])}")
            print(f"ballots cast: {record.get('cast')} of {record.get('eligible')} eligible")
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
    if isinstance(record.get("opening"), dict):
        print("OK: rule, text and electorate are the ones committed at opening.")
        if isinstance(record["opening"].get("deputies"), dict):
            print("OK: the deputy rights are the ones committed at opening.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
