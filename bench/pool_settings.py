"""Settings for the benchmarks' ``--pool`` variant: Konsens's settings with psycopg's
connection pool (Django ≥ 5.1, ``psycopg[pool]``) instead of a new PostgreSQL connection for
every request and every ``database_sync_to_async`` call (``CONN_MAX_AGE = 0``). Persistent
connections (``conn_max_age``) are no alternative under ASGI: Django runs each HTTP request's
sync code in a thread of its own, and each such thread keeps its own connection open until
the server runs out of PostgreSQL connections (measured in ``docs/performance.md``)."""

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"]["OPTIONS"],
    "pool": {"min_size": 2, "max_size": 20, "timeout": 10},
}
