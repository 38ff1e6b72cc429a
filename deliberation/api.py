"""The read-only REST API of the deliberation domain: one view per operation.

Views validate their input, ask ``deliberation.selectors`` and hand the result to an output
serializer; nothing else. Anyone may read concepts, action fields, goals and versions; circles
follow the ``deliberation.view_room`` rule (public ones for everybody, private ones for their
members and staff, a 404 for everyone else so a private circle's existence does not leak).
Writes are refused: 401 for anonymous requests, 405 for signed-in ones.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers

from api.errors import error_responses
from deliberation import selectors
from deliberation.access import access_circle
from deliberation.models import ActionField, Circle, Concept, Goal, GoalVersion
from deliberation.serializers import (
    ActionFieldFilterSerializer,
    ActionFieldSerializer,
    CircleFilterSerializer,
    CircleSerializer,
    ConceptSerializer,
    GoalFilterSerializer,
    GoalSerializer,
    GoalVersionSerializer,
)

T = TypeVar("T")


def _found(obj: T | None, message: Any) -> T:
    if obj is None:
        raise exceptions.NotFound(message)
    return obj


def _filters(serializer_class: type[serializers.Serializer], query_params: Any) -> dict[str, Any]:
    """The validated filters of a list request; a 400 names every bad one."""
    filters = serializer_class(data=query_params)
    filters.is_valid(raise_exception=True)
    return dict(filters.validated_data)


NO_CONCEPT = _("Kein Konzept mit diesem Kurznamen.")
NO_ACTION_FIELD = _("Kein Handlungsfeld mit diesem Kurznamen.")
NO_GOAL = _("Kein Ziel mit dieser Nummer.")
NO_VERSION = _("Dieses Ziel hat keine Fassung mit dieser Nummer.")
NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")


@extend_schema_view(
    get=extend_schema(
        tags=["concepts"],
        operation_id="concepts_list",
        summary="List the concepts",
        responses={200: ConceptSerializer(many=True)},
    )
)
class ConceptListApi(generics.ListAPIView):
    serializer_class = ConceptSerializer

    def get_queryset(self) -> QuerySet[Concept]:
        return selectors.concepts()


@extend_schema_view(
    get=extend_schema(
        tags=["concepts"],
        operation_id="concepts_retrieve",
        summary="One concept with its action fields",
        responses={200: ConceptSerializer, **error_responses(404)},
    )
)
class ConceptDetailApi(generics.RetrieveAPIView):
    serializer_class = ConceptSerializer

    def get_object(self) -> Concept:
        return _found(selectors.concept_by_slug(self.kwargs["slug"]), NO_CONCEPT)


@extend_schema_view(
    get=extend_schema(
        tags=["action-fields"],
        operation_id="action_fields_list",
        summary="List the action fields with their goals",
        parameters=[ActionFieldFilterSerializer],
        responses={200: ActionFieldSerializer(many=True), **error_responses(400)},
    )
)
class ActionFieldListApi(generics.ListAPIView):
    serializer_class = ActionFieldSerializer

    def get_queryset(self) -> QuerySet[ActionField]:
        filters = _filters(ActionFieldFilterSerializer, self.request.query_params)
        return selectors.action_fields(concept_slug=filters.get("concept"))


@extend_schema_view(
    get=extend_schema(
        tags=["action-fields"],
        operation_id="action_fields_retrieve",
        summary="One action field with its goals",
        responses={200: ActionFieldSerializer, **error_responses(404)},
    )
)
class ActionFieldDetailApi(generics.RetrieveAPIView):
    serializer_class = ActionFieldSerializer

    def get_object(self) -> ActionField:
        return _found(selectors.action_field_with_goals(self.kwargs["slug"]), NO_ACTION_FIELD)


@extend_schema_view(
    get=extend_schema(
        tags=["goals"],
        operation_id="goals_list",
        summary="List the goals with their current version",
        parameters=[GoalFilterSerializer],
        responses={200: GoalSerializer(many=True), **error_responses(400)},
    )
)
class GoalListApi(generics.ListAPIView):
    serializer_class = GoalSerializer

    def get_queryset(self) -> QuerySet[Goal]:
        filters = _filters(GoalFilterSerializer, self.request.query_params)
        return selectors.goals(
            action_field_slug=filters.get("action_field"), status=filters.get("status")
        )


@extend_schema_view(
    get=extend_schema(
        tags=["goals"],
        operation_id="goals_retrieve",
        summary="One goal with its current version",
        responses={200: GoalSerializer, **error_responses(404)},
    )
)
class GoalDetailApi(generics.RetrieveAPIView):
    serializer_class = GoalSerializer

    def get_object(self) -> Goal:
        return _found(selectors.goal_by_id(self.kwargs["goal_id"]), NO_GOAL)


@extend_schema_view(
    get=extend_schema(
        tags=["goals"],
        operation_id="goals_versions_list",
        summary="Every version of a goal, oldest first",
        responses={200: GoalVersionSerializer(many=True), **error_responses(404)},
    )
)
class GoalVersionListApi(generics.ListAPIView):
    serializer_class = GoalVersionSerializer

    def get_queryset(self) -> QuerySet[GoalVersion]:
        goal = _found(selectors.goal_by_id(self.kwargs["goal_id"]), NO_GOAL)
        return selectors.goal_versions(goal)


@extend_schema_view(
    get=extend_schema(
        tags=["goals"],
        operation_id="goals_versions_retrieve",
        summary="One version of a goal, by its number",
        responses={200: GoalVersionSerializer, **error_responses(404)},
    )
)
class GoalVersionDetailApi(generics.RetrieveAPIView):
    serializer_class = GoalVersionSerializer

    def get_object(self) -> GoalVersion:
        version = selectors.goal_version(
            goal_id=self.kwargs["goal_id"], number=self.kwargs["number"]
        )
        return _found(version, NO_VERSION)


@extend_schema_view(
    get=extend_schema(
        tags=["circles"],
        operation_id="circles_list",
        summary="List the circles you may see",
        description="Public circles for everyone; private ones only for their members and staff.",
        parameters=[CircleFilterSerializer],
        responses={200: CircleSerializer(many=True), **error_responses(400)},
    )
)
class CircleListApi(generics.ListAPIView):
    serializer_class = CircleSerializer

    def get_queryset(self) -> QuerySet[Circle]:
        filters = _filters(CircleFilterSerializer, self.request.query_params)
        return selectors.circles_visible_to(
            self.request.user, action_field_slug=filters.get("action_field")
        )


@extend_schema_view(
    get=extend_schema(
        tags=["circles"],
        operation_id="circles_retrieve",
        summary="One circle",
        description="A private circle is a 404 for everyone but its members and staff.",
        responses={200: CircleSerializer, **error_responses(404)},
    )
)
class CircleDetailApi(generics.RetrieveAPIView):
    serializer_class = CircleSerializer

    def get_object(self) -> Circle:
        return access_circle(self.request.user, self.kwargs["slug"], message=NO_CIRCLE)
