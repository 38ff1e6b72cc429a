"""Every write of wider participation, by feature: ``questionnaires`` (questionnaires,
their questions, invitations), ``responses`` (answers), ``feedback`` (dispositions of the
public's feedback), ``contributions`` (public ideas, questions, opinions and their
moderation) and ``accounts`` (citizens' sign-up).

Keyword-only, ``actor`` first, as every door calls them (pages, REST API, admin). Each checks
who may act (``Forbidden``), whether the state allows it now (``Conflict``: a closed
questionnaire, a passed deadline, a response already submitted) and its input (``Invalid``);
then it writes in one transaction. Deadlines are decided by the server's clock
(``timezone.now()``), never by a client. E-mails leave after the commit."""

from __future__ import annotations

from participation.services._common import (  # noqa: F401
    ANSWER_MAX_LENGTH,
    CHOICE_MAX_LENGTH,
    CHOICES_MAX,
    CHOICES_MIN,
    CONTRIBUTION_BODY_MAX_LENGTH,
    CONTRIBUTION_TITLE_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    INTRO_MAX_LENGTH,
    INVITATIONS_MAX,
    KEEP,
    NAME_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    QUESTIONS_MAX,
    REASON_MAX_LENGTH,
    RECEIPT_ALPHABET,
    REPORT_REASON_MAX_LENGTH,
    RESPONSE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from participation.services.accounts import (  # noqa: F401
    SignUpTokenGenerator,
    citizen_confirm,
    citizen_sign_up,
    sign_up_tokens,
)
from participation.services.contributions import (  # noqa: F401
    contact_email,
    contribution_link_goal,
    contribution_moderate,
    contribution_report,
    contribution_reports_dismiss,
    contribution_submit,
    ideas_deadline_set,
)
from participation.services.feedback import (  # noqa: F401
    feedback_disposition_set,
)
from participation.services.questionnaires import (  # noqa: F401
    InvitationBatch,
    invitations_create,
    new_token,
    question_add,
    question_delete,
    question_move,
    question_update,
    questionnaire_close,
    questionnaire_create,
    questionnaire_open,
    questionnaire_update,
)
from participation.services.responses import (  # noqa: F401
    CleanAnswer,
    accepting_problem,
    answer_link_goal,
    clean_answers,
    response_save,
)
from participation.services.translations import (  # noqa: F401
    questionnaire_translate,
    translation_languages,
)
