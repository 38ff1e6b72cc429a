"""Participation pages, by feature: ``accounts`` (sign-up, confirmation),
``contributions`` (ideas, questions and opinions, moderation), ``questionnaires`` (the
builder, invitations, results), ``responses`` (answering) and ``feedback`` (a circle's public
feedback). Each view is a thin door onto ``participation.services``."""

from __future__ import annotations

from participation.views.accounts import (  # noqa: F401
    confirm,
    index,
    sign_up,
    sign_up_sent,
)
from participation.views.contributions import (  # noqa: F401
    contribution,
    contribution_report,
    idea_new,
    ideas,
    ideas_deadline,
    mine,
    moderate,
    moderation,
    opinions,
)
from participation.views.feedback import (  # noqa: F401
    circle_feedback,
)
from participation.views.questionnaires import (  # noqa: F401
    answer_goal,
    builder,
    invitations,
    invitations_csv,
    question_change,
    question_edit,
    question_new,
    questionnaire_status,
    questionnaires,
    responses_csv,
    results,
)
from participation.views.responses import (  # noqa: F401
    invited,
    invited_receipt,
    receipt,
    respond,
)
from participation.views.translations import (  # noqa: F401
    questionnaire_translation,
)
