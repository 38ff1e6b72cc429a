"""Machine translation on demand: marked, cached, only for texts the reader may see, and
nothing leaves the server unless the operator configured a provider."""

from __future__ import annotations

from typing import Any

import pytest

from assist import providers
from assist.models import MachineTranslation
from assist.translation import text_hash, translation_get
from kernel.errors import Conflict, NotFound
from tests.assist.conftest import PERSONAS, client_for, persona, say
from tests.factories import Room

pytestmark = pytest.mark.django_db
URL = "/api/v1/translations/"


def test_comment_is_translated_on_demand_and_marked(room: Room, fake_providers: None) -> None:
    comment = say(room, "Bitte auch die Horte einbeziehen.")
    response = client_for(room, "anonymous").get(
        URL, {"kind": "comment", "id": comment.pk, "target": "en"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["machine_translation"] is True
    assert data["marking"] == "Maschinell übersetzt"
    assert data["original"] == "Bitte auch die Horte einbeziehen."
    assert data["text"] == "[tr] en: Bitte auch die Horte einbeziehen."
    assert providers.fake_original(data["text"]) == data["original"]
    assert (data["provider"], data["cached"]) == ("fake", False)


def test_marking_follows_the_language_of_the_request(room: Room, fake_providers: None) -> None:
    comment = say(room, "Kurze Frage.")
    response = client_for(room, "expert").get(
        URL, {"kind": "comment", "id": comment.pk, "target": "en"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["marking"] == "Machine translation"


def test_second_reader_is_served_from_the_cache(
    room: Room, fake_providers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    comment = say(room, "Zwei Fachkräfte reichen nicht.")
    calls: list[str] = []
    real = providers.FakeTranslator.translate

    def counting(self: Any, text: str, *, source: str | None, target: str) -> str:
        calls.append(text)
        return real(self, text, source=source, target=target)

    monkeypatch.setattr(providers.FakeTranslator, "translate", counting)
    first = translation_get(actor=room.expert, kind="comment", object_id=comment.pk, target="tr")
    second = translation_get(actor=room.outsider, kind="comment", object_id=comment.pk, target="tr")
    assert calls == ["Zwei Fachkräfte reichen nicht."]
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text
    row = MachineTranslation.objects.get()
    assert (row.text_hash, row.target_lang) == (text_hash(comment.body), "tr")


def test_edited_text_is_translated_afresh(room: Room, fake_providers: None) -> None:
    comment = say(room, "Alt.")
    translation_get(actor=room.expert, kind="comment", object_id=comment.pk, target="en")
    comment.body = "Neu."
    comment.save()
    result = translation_get(actor=room.expert, kind="comment", object_id=comment.pk, target="en")
    assert (result.text, result.cached) == ("[tr] en: Neu.", False)


@pytest.mark.parametrize("name", PERSONAS)
def test_only_members_translate_a_private_rooms_comment(
    private: Room, fake_providers: None, name: str
) -> None:
    comment = say(private, "Vertraulich.")
    response = client_for(private, name).get(
        URL, {"kind": "comment", "id": comment.pk, "target": "en"}
    )
    expected = 404 if name in ("outsider", "anonymous") else 200
    assert response.status_code == expected
    if expected == 404:
        assert "Vertraulich" not in response.content.decode()
        assert not MachineTranslation.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_hidden_comment_translates_for_moderators_only(
    room: Room, fake_providers: None, name: str
) -> None:
    from deliberation.models import Comment

    comment = say(room, "Unsachlich.")
    Comment.objects.filter(pk=comment.pk).update(state=Comment.State.HIDDEN)
    response = client_for(room, name).get(
        URL, {"kind": "comment", "id": comment.pk, "target": "en"}
    )
    assert response.status_code == (200 if name == "moderator" else 404)


def test_goal_text_translates(room: Room, fake_providers: None) -> None:
    result = translation_get(
        actor=persona(room, "anonymous"), kind="goal", object_id=room.goal.pk, target="uk"
    )
    assert result.text.startswith("[tr] uk: Erster Absatz.")


def test_unknown_target_language_is_refused(room: Room, fake_providers: None) -> None:
    comment = say(room, "Hallo.")
    response = client_for(room, "expert").get(
        URL, {"kind": "comment", "id": comment.pk, "target": "xx-<script>"}
    )
    assert response.status_code == 400
    assert not MachineTranslation.objects.exists()


def test_nothing_leaves_the_server_without_a_provider(
    room: Room, settings: Any, no_network: list[Any]
) -> None:
    assert settings.TRANSLATION_PROVIDER == "none"  # the default
    assert providers.translator() is None and providers.drafter() is None
    comment = say(room, "Bitte übersetzen.")
    response = client_for(room, "expert").get(
        URL, {"kind": "comment", "id": comment.pk, "target": "en"}
    )
    assert response.status_code == 409
    with pytest.raises(Conflict):
        translation_get(actor=room.expert, kind="comment", object_id=comment.pk, target="en")
    assert no_network == []
    assert not MachineTranslation.objects.exists()


def test_a_hidden_text_stays_hidden_without_a_provider(private: Room) -> None:
    comment = say(private, "Vertraulich.")
    with pytest.raises(NotFound):
        translation_get(actor=private.outsider, kind="comment", object_id=comment.pk, target="en")


def test_a_configured_provider_sends_through_the_one_request_function(
    room: Room, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard above is the real path: a configured LibreTranslate asks ``post_json``."""
    settings.TRANSLATION_PROVIDER = "libretranslate"
    settings.TRANSLATION_URL = "https://translate.example.org"
    sent: list[tuple[str, dict[str, Any]]] = []

    def answer(url: str, payload: dict[str, Any], **kwargs: Any) -> Any:
        sent.append((url, payload))
        return {"translatedText": "Please include the after-school clubs."}

    monkeypatch.setattr("assist.providers.post_json", answer)
    comment = say(room, "Bitte auch die Horte einbeziehen.")
    result = translation_get(actor=room.expert, kind="comment", object_id=comment.pk, target="en")
    assert result.text == "Please include the after-school clubs."
    assert result.provider == "libretranslate"
    assert sent == [
        (
            "https://translate.example.org/translate",
            {"q": comment.body, "source": "auto", "target": "en", "format": "text"},
        )
    ]


def test_translation_endpoint_is_in_the_schema(client: Any) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/translations/" in schema and "translation_get" in schema


def test_goal_page_offers_the_button_only_with_a_translator(room: Room, settings: Any) -> None:
    page = client_for(room, "anonymous").get(f"/ziele/{room.goal.pk}/").content.decode()
    assert f'data-translate-kind="goal" data-translate-id="{room.goal.pk}"' in page
    assert "assist/translate" not in page
    settings.TRANSLATION_PROVIDER = "fake"
    page = client_for(room, "anonymous").get(f"/ziele/{room.goal.pk}/").content.decode()
    assert '<script type="module" src="/static/assist/translate' in page
