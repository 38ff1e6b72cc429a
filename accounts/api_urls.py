from __future__ import annotations

from django.urls import path

from accounts import members_api
from accounts.api import PersonalDataApi

urlpatterns = [
    path("account/data", PersonalDataApi.as_view(), name="api-account-data"),
    path(
        "circles/<slug:slug>/members/",
        members_api.MemberListApi.as_view(),
        name="api-circle-members",
    ),
    path(
        "circles/<slug:slug>/members/<int:membership_id>/",
        members_api.MemberDetailApi.as_view(),
        name="api-circle-member",
    ),
]
