import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model


@pytest.mark.django_db(transaction=True)
async def test_async_probe_runs_in_the_same_session() -> None:
    await asyncio.sleep(0)
    assert await sync_to_async(get_user_model().objects.count)() == 0


@pytest.mark.django_db
def test_sync_orm_probe() -> None:
    assert get_user_model().objects.count() == 0
