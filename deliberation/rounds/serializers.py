"""Shapes of the rounds API.

Inputs are validated here for type and form only; every rule of the domain lives in
``deliberation.rounds.services``. Outputs are the plain-data shapes of ``deliberation.payloads``
(the same the room events carry); the output serializers below describe them for the schema.
"""

from __future__ import annotations

from rest_framework import serializers

from api.fields import UtcDateTimeField
from deliberation.models import Disposition, Goal, Idea, Round
from deliberation.rounds.services import TEXT_MAX_LENGTH, TIME_BOX_MAX, TIME_BOX_MIN

# --- inputs ------------------------------------------------------------------------------------


class AgendaEntryInput(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, help_text="Id of a goal of the circle's field.")
    time_box = serializers.IntegerField(
        min_value=TIME_BOX_MIN,
        max_value=TIME_BOX_MAX,
        required=False,
        allow_null=True,
        help_text="Seconds for this item; empty for no countdown.",
    )


class RoundOpenInput(serializers.Serializer):
    agenda = AgendaEntryInput(many=True, allow_empty=False)
    ratings_public = serializers.BooleanField(
        default=False, help_text="Whether the room sees individual ratings, not just the aggregate."
    )


class RoundPhaseInput(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Round.Phase.choices)
    expected_phase = serializers.ChoiceField(
        choices=Round.Phase.choices,
        required=False,
        help_text="The phase you confirmed to leave; refused (409) if the round moved on.",
    )


class RatingInput(serializers.Serializer):
    support = serializers.IntegerField(min_value=1, max_value=5)
    needs_rework = serializers.BooleanField(default=False)


class IdeaInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    rationale = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, default="")
    client_key = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        help_text="Your key for this proposal: sending it again returns the same idea.",
    )


class IdeaAcceptInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    rationale = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False)
    response = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, default="")


class IdeaDeclineInput(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class DispositionInput(serializers.Serializer):
    value = serializers.ChoiceField(choices=Disposition.Value.choices)
    response = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class VersionPublishInput(serializers.Serializer):
    text = serializers.CharField()
    rationale = serializers.CharField(
        required=False, allow_blank=True, help_text="Leave out to keep the current rationale."
    )
    change_note = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    comment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Comments on this goal that the version takes up.",
    )
    idea_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ideas of the field's rooms that the version takes up.",
    )
    vote_reason_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Concerns and vetoes from votes on this goal that the version takes up.",
    )
    proposal_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Accepted change proposals on the current version that the text applies "
        "(see the proposals' apply preview); they are linked to the new version.",
    )


class DiffQuery(serializers.Serializer):
    old = serializers.IntegerField(
        min_value=1, required=False, help_text="Older version number (default: the one before)."
    )
    new = serializers.IntegerField(
        min_value=1, required=False, help_text="Newer version number (default: the current one)."
    )


# --- outputs (schema) ------------------------------------------------------------------------


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VersionNumberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class AgendaItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    goal = serializers.IntegerField()
    goal_title = serializers.CharField()
    version = VersionNumberOutput(help_text="The version on the table when the round opened.")
    time_box = serializers.IntegerField(allow_null=True)
    started_at = UtcDateTimeField(allow_null=True)
    deadline = UtcDateTimeField(
        allow_null=True, help_text="When the countdown ends, by the server's clock."
    )
    remaining = serializers.IntegerField(
        allow_null=True, help_text="Seconds left when this was produced."
    )


class RoundOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    circle = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=Round.Phase.choices)
    ratings_public = serializers.BooleanField()
    current_item = serializers.IntegerField(allow_null=True)
    opened_by = PersonOutput(allow_null=True)
    opened_at = UtcDateTimeField()
    phase_changed_at = UtcDateTimeField()
    agenda = AgendaItemOutput(many=True)


class RatingOutput(serializers.Serializer):
    goal = serializers.IntegerField()
    person = PersonOutput()
    support = serializers.IntegerField()
    needs_rework = serializers.BooleanField()
    updated_at = UtcDateTimeField()


class RatingAggregateOutput(serializers.Serializer):
    round = serializers.IntegerField()
    goal = serializers.IntegerField()
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='Number of ratings per support value, keys "1" to "5".',
    )
    needs_rework = serializers.IntegerField()
    ratings = RatingOutput(
        many=True, allow_null=True, help_text="Individual ratings, only if the round shows them."
    )


class RatingsOutput(serializers.Serializer):
    aggregates = RatingAggregateOutput(many=True)
    own = RatingOutput(many=True)


class OwnRatingOutput(serializers.Serializer):
    rating = RatingOutput()
    aggregate = RatingAggregateOutput()


class IdeaOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(allow_null=True)
    author = PersonOutput()
    title = serializers.CharField()
    text = serializers.CharField()
    text_html = serializers.CharField()
    rationale = serializers.CharField()
    state = serializers.ChoiceField(choices=Idea.State.choices)
    decline_reason = serializers.CharField(allow_null=True)
    resulting_goal = serializers.IntegerField(allow_null=True)
    decided_by = PersonOutput(allow_null=True)
    decided_at = UtcDateTimeField(allow_null=True)
    created_at = UtcDateTimeField()


class FeedbackRefOutput(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["comment", "idea", "contribution", "answer", "vote_reason", "proposal"]
    )
    id = serializers.IntegerField()
    goal = serializers.IntegerField(allow_null=True)


class VersionRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField()
    number = serializers.IntegerField()


class DispositionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    feedback = FeedbackRefOutput()
    round = serializers.IntegerField(allow_null=True)
    value = serializers.ChoiceField(choices=Disposition.Value.choices)
    response = serializers.CharField()
    decided_by = PersonOutput()
    decided_at = UtcDateTimeField()
    addressed_in = VersionRefOutput(allow_null=True)


class VoteReasonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField()
    motion = serializers.IntegerField(help_text="The vote's number.")
    kind = serializers.ChoiceField(choices=["concern", "veto"])
    # DRF takes declared fields off the class, so this does not shadow ``Field.label``.
    label = serializers.CharField(help_text='"Bedenken aus Abstimmung Nr. 7"')  # type: ignore[assignment]
    text = serializers.CharField()
    author = PersonOutput(allow_null=True, help_text="null: the vote was secret.")
    created_at = UtcDateTimeField(help_text="The close of the vote.")


class FeedbackItemOutput(FeedbackRefOutput):
    round_number = serializers.IntegerField(
        allow_null=True, help_text="The round it was said in; null: free discussion."
    )
    author = PersonOutput(allow_null=True, help_text="null: an invitee without an account.")
    created_at = UtcDateTimeField()
    text = serializers.CharField()
    settled = serializers.BooleanField(
        help_text="Nothing more to do: not accepted, answered, or taken up in a version."
    )
    disposition = DispositionOutput(allow_null=True)
    versions = VersionRefOutput(many=True, help_text="Versions that name it as taken up.")
    idea = IdeaOutput(required=False, help_text="Only for ideas.")
    vote_reason = VoteReasonOutput(required=False, help_text="Only for concerns and vetoes.")


class VersionNoteOutput(VersionRefOutput):
    change_note = serializers.CharField()
    created_at = UtcDateTimeField()


class ReportGoalOutput(serializers.Serializer):
    class GoalOutput(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        status = serializers.ChoiceField(choices=Goal.Status.choices)

    goal = GoalOutput()
    ratings = RatingAggregateOutput()
    feedback = FeedbackItemOutput(many=True)
    carried_over = FeedbackItemOutput(many=True)
    versions = VersionNoteOutput(many=True)
    public_feedback = FeedbackItemOutput(
        many=True, help_text="The public's contributions and questionnaire answers on the goal."
    )


class ReportOutput(serializers.Serializer):
    class ReportRoundOutput(serializers.Serializer):
        class CircleRefOutput(serializers.Serializer):
            id = serializers.IntegerField()
            slug = serializers.SlugField()

        id = serializers.IntegerField()
        number = serializers.IntegerField()
        circle = CircleRefOutput()
        phase = serializers.ChoiceField(choices=Round.Phase.choices)
        opened_at = UtcDateTimeField()

    class SummaryOutput(serializers.Serializer):
        feedback = serializers.IntegerField()
        decided = serializers.IntegerField()
        open = serializers.IntegerField()

    round = ReportRoundOutput()
    generated_at = UtcDateTimeField()
    summary = SummaryOutput()
    goals = ReportGoalOutput(many=True)
    ideas = FeedbackItemOutput(many=True)
    carried_over_ideas = FeedbackItemOutput(many=True)
    public_ideas = FeedbackItemOutput(
        many=True, help_text="Approved public ideas for the field, linked to no goal."
    )


class DiffOpOutput(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class TextDiffOutput(serializers.Serializer):
    ops = DiffOpOutput(many=True)
    html = serializers.CharField(
        help_text="Escaped text with <ins>/<del> and visually hidden markers; pre-wrap it."
    )
    words_inserted = serializers.IntegerField()
    words_deleted = serializers.IntegerField()


class GoalDiffOutput(serializers.Serializer):
    goal = serializers.IntegerField()
    from_version = VersionNoteOutput()
    to_version = VersionNoteOutput()
    text = TextDiffOutput()
    rationale = TextDiffOutput()


class VersionPublishedOutput(serializers.Serializer):
    version = VersionNoteOutput()
    feedback = FeedbackItemOutput(many=True)
