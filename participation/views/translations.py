"""Page: a questionnaire's texts in another language, entered beside the German originals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kernel.errors import DomainError
from participation import selectors, services
from participation.access import access_managed_questionnaire
from participation.localization import questionnaire_languages, translation_values
from participation.models import Question, Questionnaire
from participation.views._common import _form_error


class TranslationForm(forms.Form):
    """One field per text; each field's help names the German original."""

    title = forms.CharField(
        label=gettext_lazy("Titel"), required=False, max_length=services.TITLE_MAX_LENGTH
    )
    intro = forms.CharField(
        label=gettext_lazy("Einleitung"),
        required=False,
        max_length=services.INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, values: dict[str, Any], language: str, **kwargs: Any) -> None:
        initial = {"title": values["title"], "intro": values["intro"]}
        self.groups: list[tuple[dict[str, Any], list[str]]] = []
        fields: dict[str, forms.Field] = {}
        for question in values["questions"]:
            names = []
            for part, label, size in (
                ("text", _("Frage"), services.QUESTION_MAX_LENGTH),
                ("hint", _("Hinweis zur Frage"), services.QUESTION_MAX_LENGTH),
            ):
                if not question["original"][part]:
                    continue
                name = f"q{question['id']}_{part}"
                fields[name] = self._field(label, question["original"][part], size)
                initial[name] = question[part]
                names.append(name)
            for choice in question["choices"]:
                name = f"c{choice['id']}"
                fields[name] = forms.CharField(
                    label=_("Antwortmöglichkeit „%(label)s“") % {"label": choice["original"]},
                    required=False,
                    max_length=services.CHOICE_MAX_LENGTH,
                )
                initial[name] = choice["label"]
                names.append(name)
            self.groups.append((question, names))
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        original_title = values["original"]["title"]
        self.fields["title"].help_text = _("Deutsch: %(text)s") % {"text": original_title}
        if values["original"]["intro"]:
            self.fields["intro"].help_text = _("Deutsch: %(text)s") % {
                "text": values["original"]["intro"]
            }
        self.fields.update(fields)
        for field in self.fields.values():
            field.widget.attrs.update({"lang": language, "dir": "auto"})

    @staticmethod
    def _field(label: str, original: str, size: int) -> forms.CharField:
        return forms.CharField(
            label=label,
            required=False,
            max_length=size,
            help_text=_("Deutsch: %(text)s") % {"text": original},
        )

    def question_rows(self) -> list[tuple[dict[str, Any], list[forms.BoundField]]]:
        return [(question, [self[name] for name in names]) for question, names in self.groups]

    def payload(self, values: dict[str, Any]) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "intro": data["intro"],
            "questions": {
                question["id"]: {
                    "text": data.get(f"q{question['id']}_text", ""),
                    "hint": data.get(f"q{question['id']}_hint", ""),
                    "choices": {c["id"]: data.get(f"c{c['id']}", "") for c in question["choices"]},
                }
                for question in values["questions"]
            },
        }


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_translation(
    request: HttpRequest, questionnaire_id: int, language: str
) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    languages = dict(services.translation_languages())
    if language not in languages:
        raise Http404(_("Diese Sprache gibt es hier nicht."))
    questions: list[Question] = selectors.questionnaire_questions(questionnaire)
    values = translation_values(questionnaire, questions, language)
    form = TranslationForm(request.POST or None, values=values, language=language)
    status = 200
    if request.method == "POST":
        status = 400
        if questionnaire.status == Questionnaire.Status.CLOSED:
            status = 409
        if form.is_valid():
            try:
                services.questionnaire_translate(
                    actor=request.user,
                    questionnaire_id=questionnaire.pk,
                    language=language,
                    **form.payload(values),
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = 409 if exc.code == "conflict" else 400
            else:
                messages.success(
                    request,
                    _("Die Übersetzung (%(language)s) ist gespeichert.")
                    % {"language": languages[language]},
                )
                return redirect(request.get_full_path())
    return render(
        request,
        "participation/translation_form.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "language": language,
            "language_name": languages[language],
            "languages": list(languages.items()),
            "translated": questionnaire_languages(questionnaire, questions),
            "nav": "participation",
        },
        status=status,
    )
