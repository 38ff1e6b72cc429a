"""A circle's members over REST, for its moderators and staff: list them, add an existing
account, change a role, end a membership.

Access is the members page's (``accounts.selectors.access_member_management``): anyone who
may not manage the circle's members gets the same 404 as for a circle that does not exist.
Every write is the service the page uses (``deliberation.services.membership_add``,
``membership_change_role``, ``membership_remove``): the room hears ``member.*`` live, and the
person's open sockets reconnect with their new role. Inviting somebody without an account is
the members page's invitation (an e-mail with a single-use link).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from api.errors import error_responses
from api.pagination import Pagination, paginated
from deliberation import payloads
from deliberation import services as deliberation_services
from deliberation.models import Membership
from kernel.errors import Invalid, NotFound


class MemberPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MembershipOutput(serializers.Serializer):
    id = serializers.IntegerField()
    person = MemberPersonOutput()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipInput(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="An existing, active account.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


def _row(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "person": payloads.person(membership.user),
        "username": membership.user.get_username(),
        "role": membership.role,
    }


def _membership(circle_id: int, membership_id: int) -> Membership:
    found = (
        Membership.objects.select_related("user").filter(pk=membership_id, circle_id=circle_id)
    ).first()
    if found is None:
        raise NotFound(_("Diese Mitgliedschaft gibt es nicht (mehr)."))
    return found


class MemberListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=["circles"],
        operation_id="circle_members_list",
        summary="A circle's members (its moderators and staff)",
        responses={200: MembershipOutput(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = selectors.access_member_management(request.user, slug)
        rows = selectors.circle_memberships(circle)
        return paginated(request, self, rows, lambda page: [_row(m) for m in page])

    @extend_schema(
        tags=["circles"],
        operation_id="circle_members_create",
        summary="Add an existing account to a circle",
        description="Adding a membership that exists already changes nothing (200).",
        request=MembershipInput,
        responses={
            201: MembershipOutput,
            200: OpenApiResponse(MembershipOutput, description="Was a member in this role."),
            **error_responses(400, 401, 403, 404),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = selectors.access_member_management(request.user, slug)
        data = MembershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = (
            get_user_model()
            ._default_manager.filter(username=data.validated_data["username"], is_active=True)
            .first()
        )
        if user is None:
            raise Invalid(_("Dieses Konto gibt es nicht."), field="username")
        existed = Membership.objects.filter(
            user=user, circle=circle, role=data.validated_data["role"]
        ).exists()
        membership = deliberation_services.membership_add(
            actor=request.user, user=user, circle=circle, role=data.validated_data["role"]
        )
        return Response(
            _row(membership), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class MemberDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["circles"],
        operation_id="circle_members_partial_update",
        summary="Change a member's role",
        request=RoleInput,
        responses={200: MembershipOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, slug: str, membership_id: int) -> Response:
        circle = selectors.access_member_management(request.user, slug)
        membership = _membership(circle.pk, membership_id)
        data = RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = deliberation_services.membership_change_role(
            actor=request.user, membership=membership.pk, role=data.validated_data["role"]
        )
        return Response(_row(changed))

    @extend_schema(
        tags=["circles"],
        operation_id="circle_members_destroy",
        summary="End a membership",
        request=None,
        responses={204: None, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, slug: str, membership_id: int) -> Response:
        circle = selectors.access_member_management(request.user, slug)
        membership = _membership(circle.pk, membership_id)
        deliberation_services.membership_remove(actor=request.user, membership=membership.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
