"""Helpers of the accounts tests."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")


def link_in(message: Any, pattern: str) -> str:
    """The path of the first link in ``message`` whose path matches ``pattern``."""
    found = re.search(r"https?://testserver(" + re.escape(pattern) + r"\S*)", message.body)
    assert found, message.body
    return found.group(1)


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]
