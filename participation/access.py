"""Access helpers of wider participation (see ``deliberation.access``): the questionnaire or
contribution for a user who may see it, or ``NotFound`` — a draft questionnaire or a
contribution under moderation does not reveal that it exists. ``message`` lets a door keep
its own wording (the API says "no visible questionnaire with this number", a page "this
questionnaire does not exist")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kernel.errors import NotFound
from kernel.permissions import can
from participation import selectors
from participation.models import Contribution, Questionnaire


def _no_questionnaire(message: Any) -> NotFound:
    return NotFound(message or _("Diesen Fragebogen gibt es nicht."))


def access_questionnaire(user: Any, questionnaire_id: int, *, message: Any = None) -> Questionnaire:
    """A questionnaire ``user`` may read: an open or closed public one, or any one whose
    results ``user`` may see (its scope's moderators, staff)."""
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if questionnaire is None:
        raise _no_questionnaire(message)
    if can(user, "participation.view_results", questionnaire):
        return questionnaire
    if (
        questionnaire.status != Questionnaire.Status.DRAFT
        and questionnaire.distribution == Questionnaire.Distribution.PUBLIC
    ):
        return questionnaire
    raise _no_questionnaire(message)


def access_managed_questionnaire(
    user: Any, questionnaire_id: int, *, message: Any = None
) -> Questionnaire:
    """A questionnaire ``user`` may build, open, close and invite to."""
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if questionnaire is None or not can(user, "participation.manage_questionnaire", questionnaire):
        raise _no_questionnaire(message)
    return questionnaire


def access_results(user: Any, questionnaire_id: int, *, message: Any = None) -> Questionnaire:
    """A questionnaire whose results (evaluation, CSV) ``user`` may read and download."""
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if questionnaire is None or not can(user, "participation.view_results", questionnaire):
        raise _no_questionnaire(message)
    return questionnaire


def access_contribution(user: Any, contribution_id: int, *, message: Any = None) -> Contribution:
    """A public idea, question or opinion ``user`` may see (approved ones for everybody; the
    author's own and the moderators' otherwise)."""
    contribution = selectors.contribution_by_id(contribution_id)
    if contribution is None or not can(user, "participation.view_contribution", contribution):
        raise NotFound(message or _("Diesen Beitrag gibt es nicht."))
    return contribution
