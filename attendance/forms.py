"""Forms of the attendance page. They shape input for the services and nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class DeputyForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Vertretenes Mitglied"), coerce=int)
    deputy = forms.CharField(
        label=_("Vertretung (Benutzername)"),
        max_length=150,
        help_text=_("Das Konto der Person, die bei Abwesenheit für das Mitglied abstimmt."),
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]

    def clean_deputy(self) -> int:
        username = self.cleaned_data["deputy"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Ein Konto mit diesem Benutzernamen gibt es nicht."))
        return int(user.pk)
