"""The accounts pages' forms: they read the fields; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.mail import deliver
from accounts.models import INVITABLE_ROLES
from deliberation.models import Membership


class ResetRequestForm(PasswordResetForm):
    """Django's reset request; its mail leaves after the commit, and a failing mail server
    is logged instead of showing the person an error page (``accounts.mail``)."""

    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        deliver(to=to_email, subject=subject, template=email_template_name, context=context)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("Neue E-Mail-Adresse"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    understood = forms.BooleanField(
        label=_(
            "Ich verstehe: Mein Konto wird gelöscht; meine Beiträge bleiben als "
            "„ehemaliges Mitglied“ stehen."
        )
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Das Passwort stimmt nicht."))
        return str(password)


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(
        label=_("Rolle"), choices=[(role.value, role.label) for role in INVITABLE_ROLES]
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Membership.Role.choices)


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=150,
        help_text=_("So sehen Sie die anderen im Kreis."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Die beiden Passwörter sind verschieden."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Bezeichnung"),
        max_length=100,
        required=False,
        help_text=_("Wofür ist der Token, z. B. der Name des Skripts?"),
    )
