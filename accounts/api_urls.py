from __future__ import annotations

from django.urls import path

from accounts.api import PersonalDataApi

urlpatterns = [
    path("account/data", PersonalDataApi.as_view(), name="api-account-data"),
]
