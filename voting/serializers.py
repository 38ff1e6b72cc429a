"""Input and output shapes of the vote's REST API. Inputs validate types only; the rules
(who, when, which choices) are the services'. Outputs describe ``voting.payloads`` dicts."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import UtcDateTimeField
from deliberation.models import Goal
from voting import tally
from voting.models import REJECTED_GOAL_STATUSES, Motion, Result

SHARE_HELP = (
    'An exact fraction between 0 and 1 as text, e.g. "2/3" or "1/2" (or "0.5"); at most six '
    "digits a number, no exponent."
)


# --- inputs ----------------------------------------------------------------------------------


class MotionOpenInputSerializer(serializers.Serializer):
    goals = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=20,
        help_text="One motion per goal, all under this rule (resistance: exactly one goal).",
    )
    method = serializers.ChoiceField(choices=Motion.Method.choices)
    quorum = serializers.CharField(
        required=False,
        max_length=tally.SHARE_MAX_LENGTH,
        help_text=f"Share of eligible voters who must take part. {SHARE_HELP}",
    )
    threshold = serializers.CharField(
        required=False,
        max_length=tally.SHARE_MAX_LENGTH,
        help_text=f"consent/majority: share of support among non-abstaining ballots. {SHARE_HELP}",
    )
    threshold_mode = serializers.ChoiceField(
        choices=tally.THRESHOLD_MODES,
        required=False,
        help_text="at_least (≥) or more_than (>). Defaults: consent at_least 2/3, "
        "majority more_than 1/2.",
    )
    veto_blocks = serializers.BooleanField(required=False, default=True)
    secret = serializers.BooleanField(required=False, default=False)
    changeable = serializers.BooleanField(
        required=False, default=True, help_text="Ballots may be changed until close."
    )
    deadline = UtcDateTimeField(required=False, allow_null=True, default=None)
    alternatives = serializers.ListField(
        child=serializers.CharField(max_length=5000),
        required=False,
        default=list,
        max_length=8,
        help_text="resistance only: 2–8 wordings of the goal, labelled A, B, C, … in order.",
    )
    rejected_goal_status = serializers.ChoiceField(
        choices=REJECTED_GOAL_STATUSES, required=False, default=Goal.Status.REVISED
    )
    roll_call = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Use the circle's last closed roll call: deputies may cast the ballots of "
        "the eligible voters absent from it.",
    )
    quorum_basis = serializers.ChoiceField(
        choices=tally.QUORUM_BASES,
        required=False,
        default=tally.QUORUM_ELIGIBLE,
        help_text="eligible: the quorum counts over all eligible voters; present: over those "
        "present at the roll call (implies roll_call).",
    )


class MotionCloseInputSerializer(serializers.Serializer):
    rejected_goal_status = serializers.ChoiceField(
        choices=REJECTED_GOAL_STATUSES,
        required=False,
        allow_null=True,
        default=None,
        help_text="Where the goal goes if not adopted; defaults to the choice made at opening.",
    )


class BallotInputSerializer(serializers.Serializer):
    choice = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="consent: consent, consent_with_concerns, abstain, veto; "
        "majority: yes, no, abstain. Empty for resistance.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Optional; required with a veto. Published with the record "
        "(without name if the ballot is secret).",
    )
    resistances = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        default=None,
        help_text='resistance only: every alternative\'s label to 0–10, e.g. {"A": 0, "B": 7}.',
    )


# --- outputs ---------------------------------------------------------------------------------


class VotePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MotionGoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MotionVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    text = serializers.CharField()


class MotionAlternativeSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the metaclass pops it
    text = serializers.CharField()


class MotionResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Result.Outcome.choices)
    quorum_met = serializers.BooleanField()
    eligible = serializers.IntegerField()
    participants = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Ballots per choice, or total resistance per alternative.",
    )
    share = serializers.CharField(
        allow_null=True, help_text='Support among non-abstaining ballots, e.g. "5/7".'
    )
    threshold_met = serializers.BooleanField(allow_null=True)
    vetoed = serializers.BooleanField(allow_null=True)
    ranking = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="resistance: labels, best first"
    )
    winner = serializers.CharField(allow_null=True)
    goal_status = serializers.CharField()
    closed_at = UtcDateTimeField()
    digest = serializers.CharField(help_text="SHA-256 of the canonical record (hex).")


class ElectorateMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    took_part = serializers.BooleanField(
        allow_null=True, help_text="Cast a ballot (never what). Null: closed before it was kept."
    )


class MotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    circle = serializers.IntegerField()
    goal = MotionGoalSerializer()
    version = MotionVersionSerializer()
    alternatives = MotionAlternativeSerializer(many=True)
    method = serializers.ChoiceField(choices=Motion.Method.choices)
    rule = serializers.DictField(help_text="The rule fixed at opening (immutable).")
    fingerprint = serializers.CharField(
        allow_null=True,
        help_text="SHA-256 of what the motion committed to at opening: the canonical rule, "
        "the exact text (or alternatives) and the electorate. Repeated in the record.",
    )
    secret = serializers.BooleanField()
    changeable = serializers.BooleanField()
    deadline = UtcDateTimeField(allow_null=True)
    rejected_goal_status = serializers.ChoiceField(
        choices=REJECTED_GOAL_STATUSES, help_text="Where the goal goes if not adopted."
    )
    status = serializers.ChoiceField(choices=Motion.Status.choices)
    eligible = serializers.IntegerField()
    turnout = serializers.IntegerField(help_text="Ballots cast so far (a count, never who).")
    opened_by = VotePersonSerializer()
    opened_at = UtcDateTimeField()
    closed_at = UtcDateTimeField(allow_null=True)
    result = MotionResultSerializer(allow_null=True)


class BallotSerializer(serializers.Serializer):
    motion = serializers.IntegerField()
    choice = serializers.CharField(allow_null=True)
    resistances = serializers.DictField(child=serializers.IntegerField(), allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class MotionForYouSerializer(serializers.Serializer):
    eligible = serializers.BooleanField(help_text="You may cast a ballot now.")
    may_close = serializers.BooleanField(help_text="You may close this motion now.")
    ballot = BallotSerializer(allow_null=True, help_text="Your own ballot, if any.")


class MotionDetailSerializer(MotionSerializer):
    you = MotionForYouSerializer(help_text="What the requesting user may do (not in events).")
    electorate = ElectorateMemberSerializer(
        many=True,
        allow_null=True,
        help_text="After close: every eligible member and whether they took part (for secret "
        "motions too, never what they chose). Null while the motion is open.",
    )


class MotionResultWithElectorateSerializer(MotionResultSerializer):
    electorate = ElectorateMemberSerializer(
        many=True, help_text="Every eligible member and whether they took part (never what)."
    )
