"""Participation's REST API, one view per operation, by feature: ``questionnaires`` (building,
opening, invitations, results, responses), ``feedback`` (linking answers to goals, dispositions
of the public's feedback), ``contributions`` (public ideas, questions and opinions, their
moderation) and ``accounts`` (citizens' sign-up)."""

from __future__ import annotations

from participation.api._common import (  # noqa: F401
    NO_CIRCLE,
    NO_CONCEPT,
    NO_CONTRIBUTION,
    NO_FIELD,
    NO_INVITATION,
    NO_QUESTION,
    NO_QUESTIONNAIRE,
    TAGS,
)
from participation.api.accounts import (  # noqa: F401
    ConfirmApi,
    SignUpApi,
)
from participation.api.contributions import (  # noqa: F401
    ConceptContributionsApi,
    ContributionDetailApi,
    ContributionGoalApi,
    ContributionModerateApi,
    ContributionReportApi,
    ModerationQueueApi,
    OwnContributionsApi,
)
from participation.api.feedback import (  # noqa: F401
    AnswerDispositionApi,
    AnswerGoalApi,
    ContributionDispositionApi,
    RoundPublicFeedbackApi,
)
from participation.api.questionnaires import (  # noqa: F401
    InvitationApi,
    InvitationCsvApi,
    InvitationListApi,
    OwnResponseApi,
    QuestionDetailApi,
    QuestionListApi,
    QuestionMoveApi,
    QuestionnaireCloseApi,
    QuestionnaireDetailApi,
    QuestionnaireListApi,
    QuestionnaireOpenApi,
    ResponsesCsvApi,
    ResultsApi,
)
from participation.api.translations import (  # noqa: F401
    QuestionnaireTranslationApi,
)
