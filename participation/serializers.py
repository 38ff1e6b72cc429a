"""Shapes of the participation API.

Inputs are checked for type and form only; every rule (who, when, which deadline) lives in
``participation.services``. Outputs are the plain data of
``participation.payloads``; the output serializers describe them for the schema.
"""

from __future__ import annotations

from rest_framework import serializers

from api.fields import UtcDateTimeField
from deliberation.models import Disposition
from deliberation.rounds.serializers import DispositionOutput, PersonOutput
from participation import services
from participation.models import (
    SCALE_MAX,
    SCALE_MIN,
    Contribution,
    Question,
    Questionnaire,
    Response,
)

MODERATION_DECISIONS = ["approve", "reject", "dismiss"]
MOVE_DIRECTIONS = ["up", "down"]
RESULT_STATES = ["all", "open", "decided", "unlinked"]

# --- inputs ----------------------------------------------------------------------------------


class QuestionnaireCreateInput(serializers.Serializer):
    concept = serializers.SlugField(help_text="Slug of the concept.")
    action_field = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text="Slug of one of its action fields; omit for "
        "a questionnaire about the whole concept.",
    )
    title = serializers.CharField(max_length=services.TITLE_MAX_LENGTH)
    intro = serializers.CharField(
        max_length=services.INTRO_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    distribution = serializers.ChoiceField(
        choices=Questionnaire.Distribution.choices, default=Questionnaire.Distribution.PUBLIC
    )
    deadline = UtcDateTimeField(required=False, allow_null=True, default=None)


class QuestionnaireUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=services.TITLE_MAX_LENGTH, required=False)
    intro = serializers.CharField(
        max_length=services.INTRO_MAX_LENGTH, required=False, allow_blank=True
    )
    distribution = serializers.ChoiceField(
        choices=Questionnaire.Distribution.choices,
        required=False,
        help_text="Only while it is a draft.",
    )
    deadline = UtcDateTimeField(required=False, allow_null=True, help_text="null: no deadline.")


class QuestionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text = serializers.CharField(max_length=services.QUESTION_MAX_LENGTH)
    hint = serializers.CharField(
        max_length=services.QUESTION_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]  # popped
    goal = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="A goal of the questionnaire's scope this question is about.",
    )
    choices = serializers.ListField(
        child=serializers.CharField(max_length=services.CHOICE_MAX_LENGTH),
        required=False,
        default=list,
        max_length=services.CHOICES_MAX,
        help_text="Labels, for single and multiple choice only (2 to 20).",
    )


class QuestionMoveInput(serializers.Serializer):
    direction = serializers.ChoiceField(choices=MOVE_DIRECTIONS)


class OpenInput(serializers.Serializer):
    deadline = UtcDateTimeField(
        required=False, allow_null=True, help_text="Leave out to keep the current deadline."
    )


class InvitationsInput(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254),
        allow_empty=False,
        max_length=services.INVITATIONS_MAX,
    )


class AnswerInput(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    choice = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Single choice: a choice id."
    )
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Multiple choice: choice ids.",
    )
    scale = serializers.IntegerField(
        min_value=SCALE_MIN, max_value=SCALE_MAX, required=False, allow_null=True
    )
    text = serializers.CharField(
        max_length=services.ANSWER_MAX_LENGTH, required=False, allow_blank=True
    )


class ResponseInput(serializers.Serializer):
    answers = AnswerInput(many=True)
    submit = serializers.BooleanField(
        default=False, help_text="true: final, issues a receipt; false: save a draft."
    )


class ResultsQuery(serializers.Serializer):
    q = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    goal = serializers.IntegerField(min_value=1, required=False)
    state = serializers.ChoiceField(choices=RESULT_STATES, required=False, default="all")


class GoalLinkInput(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, allow_null=True, help_text="null: unlink.")


class FeedbackDispositionInput(serializers.Serializer):
    value = serializers.ChoiceField(choices=Disposition.Value.choices)
    response = serializers.CharField(max_length=services.RESPONSE_MAX_LENGTH)
    addressed_in = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Number of the version of the linked goal that took it up.",
    )


class ContributionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Contribution.Kind.choices)
    action_field = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="Required for an idea."
    )
    title = serializers.CharField(
        max_length=services.CONTRIBUTION_TITLE_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
    )
    body = serializers.CharField(max_length=services.CONTRIBUTION_BODY_MAX_LENGTH)
    website = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Leave empty (honeypot)."
    )


class ContributionFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Contribution.Kind.choices, required=False)
    action_field = serializers.SlugField(required=False)


class ReportInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REPORT_REASON_MAX_LENGTH, required=False, default="", allow_blank=True
    )


class ModerationInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=MODERATION_DECISIONS)
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="Required to reject; the author sees it.",
    )


class SignUpInput(serializers.Serializer):
    email = serializers.EmailField(max_length=services.EMAIL_MAX_LENGTH)
    name = serializers.CharField(max_length=services.NAME_MAX_LENGTH)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    website = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="Leave empty (honeypot)."
    )


class ConfirmInput(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


# --- outputs (schema) ------------------------------------------------------------------------


class ChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # the metaclass pops it


class QuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text = serializers.CharField()
    hint = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # the metaclass pops it
    goal = serializers.IntegerField(allow_null=True)
    choices = ChoiceOutput(many=True)


class QuestionnaireOutput(serializers.Serializer):
    id = serializers.IntegerField()
    concept = serializers.SlugField()
    action_field = serializers.SlugField(allow_null=True)
    title = serializers.CharField()
    intro = serializers.CharField()
    intro_html = serializers.CharField()
    distribution = serializers.ChoiceField(choices=Questionnaire.Distribution.choices)
    status = serializers.ChoiceField(choices=Questionnaire.Status.choices)
    deadline = UtcDateTimeField(allow_null=True)
    accepting = serializers.BooleanField(
        help_text="Takes answers now: open and before its deadline, by the server's clock."
    )
    created_at = UtcDateTimeField()
    opened_at = UtcDateTimeField(allow_null=True)
    closed_at = UtcDateTimeField(allow_null=True)


class QuestionnaireDetailOutput(QuestionnaireOutput):
    questions = QuestionOutput(many=True)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    url = serializers.URLField(help_text="The personal link; the token in it is the credential.")
    token = serializers.CharField()
    status = serializers.CharField()


class AnswerOutput(serializers.Serializer):
    question = serializers.IntegerField()
    choice = serializers.IntegerField(allow_null=True)
    choices = serializers.ListField(child=serializers.IntegerField())
    scale = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()


class ResponseOutput(serializers.Serializer):
    state = serializers.ChoiceField(choices=Response.State.choices)
    receipt = serializers.CharField(allow_null=True, help_text="Issued on submitting.")
    updated_at = UtcDateTimeField()
    submitted_at = UtcDateTimeField(allow_null=True)
    answers = AnswerOutput(many=True)


class InvitationPageOutput(serializers.Serializer):
    questionnaire = QuestionnaireDetailOutput()
    response = ResponseOutput(allow_null=True)


class ResultRowOutput(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the metaclass pops it
    count = serializers.IntegerField()


class TextAnswerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    receipt = serializers.CharField()
    submitted_at = UtcDateTimeField()
    goal = serializers.IntegerField(allow_null=True)
    disposition = DispositionOutput(allow_null=True)


class QuestionResultOutput(serializers.Serializer):
    question = QuestionOutput()
    answered = serializers.IntegerField(help_text="Submitted responses that answer it.")
    distribution = ResultRowOutput(many=True, help_text="Per choice, or per scale value 1–5.")
    mean = serializers.FloatField(allow_null=True, help_text="Scale questions only.")
    texts = TextAnswerOutput(many=True, help_text="Free-text questions only (filtered).")


class ResultsOutput(serializers.Serializer):
    questionnaire = serializers.IntegerField()
    submitted = serializers.IntegerField()
    drafts = serializers.IntegerField()
    questions = QuestionResultOutput(many=True)


class TextAnswerLinkedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField(allow_null=True)


class ContributionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Contribution.Kind.choices)
    concept = serializers.SlugField()
    action_field = serializers.SlugField(allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField(help_text="Rendered from Markdown and sanitised.")
    author = PersonOutput()
    state = serializers.ChoiceField(choices=Contribution.State.choices)
    moderation_reason = serializers.CharField(allow_null=True)
    goal = serializers.IntegerField(allow_null=True)
    created_at = UtcDateTimeField()
    disposition = DispositionOutput(allow_null=True)


class QueueStatsOutput(serializers.Serializer):
    pending = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())
    oldest = UtcDateTimeField(allow_null=True, help_text="The oldest waiting since.")
    reported = serializers.IntegerField()


class ReportedContributionOutput(ContributionOutput):
    open_reports = serializers.IntegerField()


class ModerationQueueOutput(serializers.Serializer):
    stats = QueueStatsOutput()
    pending = ContributionOutput(many=True)
    reported = ReportedContributionOutput(many=True)


class ReportCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()
