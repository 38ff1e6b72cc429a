"""Who may do what in wider participation, as named django-rules predicates asked the same
way by every door: ``can(user, "participation.manage_questionnaire", questionnaire)``.

The *scope* of a questionnaire or contribution is its action field, or the whole concept when
it names none. A scope's moderators are the moderators of the circles of that field (of any
field of the concept for the concept as a whole); its members hold any role there. Staff
manage everything. Giving the public's feedback a disposition follows the rounds' rule
(``deliberation.set_disposition`` on the circle), exactly like a comment.
"""

from __future__ import annotations

from typing import Any

import rules

from deliberation.models import ActionField, Concept, Goal, Membership
from deliberation.rules import is_staff
from participation.models import Answer, Contribution, Questionnaire, Response


def scope_of(obj: Any) -> tuple[int | None, int | None]:
    """``(concept_id, action_field_id)`` of what a permission is asked about; the field is
    None for the concept as a whole."""
    if isinstance(obj, Answer):
        obj = obj.response.questionnaire
    elif isinstance(obj, Response):
        obj = obj.questionnaire
    if isinstance(obj, Concept):
        return obj.pk, None
    if isinstance(obj, ActionField):
        return obj.concept_id, obj.pk
    if isinstance(obj, Goal):
        return obj.action_field.concept_id, obj.action_field_id
    if isinstance(obj, Questionnaire | Contribution):
        return obj.concept_id, obj.action_field_id
    return None, None


def _memberships(user: Any, obj: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        return None
    concept_id, field_id = scope_of(obj)
    if concept_id is None:
        return None
    found = Membership.objects.filter(user=user, circle__action_field__concept_id=concept_id)
    if field_id is not None:
        found = found.filter(circle__action_field_id=field_id)
    return found


@rules.predicate
def is_scope_moderator(user: Any, obj: Any) -> bool:
    """Moderates a circle of the field (or, for the concept as a whole, of any field)."""
    found = _memberships(user, obj)
    return found is not None and found.filter(role=Membership.Role.MODERATOR).exists()


@rules.predicate
def is_scope_member(user: Any, obj: Any) -> bool:
    found = _memberships(user, obj)
    return found is not None and found.exists()


@rules.predicate
def is_scope_evaluator(user: Any, obj: Any) -> bool:
    """Moderators and drafters of the scope: those who evaluate feedback in the rounds."""
    found = _memberships(user, obj)
    return (
        found is not None
        and found.filter(role__in=[Membership.Role.MODERATOR, Membership.Role.DRAFTER]).exists()
    )


@rules.predicate
def is_active_account(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


@rules.predicate
def is_contribution_author(user: Any, contribution: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and isinstance(contribution, Contribution)
        and contribution.author_id == user.pk
    )


@rules.predicate
def is_approved(user: Any, contribution: Any) -> bool:
    return (
        isinstance(contribution, Contribution) and contribution.state == Contribution.State.APPROVED
    )


may_manage = is_staff | is_scope_moderator

# Questionnaires (object: a Concept or ActionField to create one; else the questionnaire)
rules.add_perm("participation.manage_questionnaire", may_manage)
rules.add_perm("participation.view_results", may_manage | is_scope_member)
rules.add_perm("participation.link_answer", may_manage | is_scope_evaluator)

# Contributions (object: the contribution; a Concept for the whole queue)
rules.add_perm("participation.submit_contribution", is_active_account)
rules.add_perm("participation.moderate_contribution", may_manage)
rules.add_perm("participation.view_contribution", is_approved | is_contribution_author | may_manage)
rules.add_perm("participation.report_contribution", is_approved)
