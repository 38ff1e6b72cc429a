"""Tokens issued before hashing (DRF's ``authtoken_token`` table, plain keys) keep working:
each becomes an ``ApiToken`` holding only its prefix and digest, valid for the configured
lifetime from now. The old table is left as it is (drop it by hand once this has run)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def import_plain_tokens(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    api_token = apps.get_model("api", "ApiToken")
    now = timezone.now()
    expires = now + timedelta(days=int(settings.API_TOKEN_LIFETIME_DAYS))
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    api_token.objects.bulk_create(
        api_token(
            user_id=user_id,
            name="",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode("ascii", "replace")).hexdigest(),
            created_at=now,
            expires_at=expires,
        )
        for key, user_id in rows
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token")  # no plain secret stays behind


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(import_plain_tokens, migrations.RunPython.noop)]
