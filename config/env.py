"""Small typed readers for settings from the environment.

Each helper fails loudly with ``ImproperlyConfigured`` naming the variable, the bad value and
what was expected, so a typo in a deployment stops the process at start instead of running
half-configured. Passwords inside URLs are never repeated in a message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

DATABASE_URL_FORMS = (
    "sqlite:///relative/path.sqlite3, sqlite:////absolute/path.sqlite3 "
    "or postgres://USER:PASSWORD@HOST:PORT/NAME"
)


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer (e.g. {default}).") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, compared case-insensitively; unset or empty means ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    by_key = {choice.lower(): choice for choice in choices}
    try:
        return by_key[raw.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; unset means ``default``, set but empty means ``[]``."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items) and raw.strip():
        raise ImproperlyConfigured(
            f"{name}={raw!r} contains an empty entry; separate entries by single commas."
        )
    return [item for item in items if item]


def env_hosts(name: str, default: list[str]) -> list[str]:
    """Host names as Django's ALLOWED_HOSTS wants them: no scheme, no path, no port."""
    hosts = env_list(name, default)
    for host in hosts:
        if "/" in host or (":" in host and not host.startswith("[")):
            raise ImproperlyConfigured(
                f"{name} entry {host!r} is not a host name; write konsens.example.org, "
                "not https://konsens.example.org/ (no scheme, port or path)."
            )
    return hosts


def env_origins(name: str) -> list[str]:
    """Origins as Django's CSRF_TRUSTED_ORIGINS wants them: ``https://host[:port]``."""
    origins = env_list(name, [])
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImproperlyConfigured(
                f"{name} entry {origin!r} is not an origin; it must start with http:// or "
                "https:// and name a host, e.g. https://konsens.example.org."
            )
    return origins


def env_secret(name: str) -> str | None:
    """Read ``NAME`` or, for Docker secrets, the file named by ``NAME_FILE``."""
    file_var = f"{name}_FILE"
    path = os.environ.get(file_var)
    direct = os.environ.get(name)
    if path and direct:
        raise ImproperlyConfigured(f"Set either {name} or {file_var}, not both.")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"{file_var}={path!r} cannot be read: {exc}") from None
        if not value:
            raise ImproperlyConfigured(f"{file_var}={path!r} names an empty file.")
        return value
    return direct


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for messages and logs."""
    parts = urlsplit(url)
    try:
        password = parts.password
    except ValueError:
        password = None
    if not password:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return parts._replace(netloc=f"{user}:***@{hostinfo}").geturl()


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into a DATABASES entry."""
    shown = redact_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path)
        if raw_path in ("", "/"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={shown!r} names no SQLite file; use {DATABASE_URL_FORMS}."
            )
        # sqlite:///relative.db -> relative to the project; sqlite:////abs.db -> absolute
        name = raw_path[1:] if raw_path.startswith("/") else raw_path
        path = Path(name) if Path(name).is_absolute() else base_dir / name
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # immediate: a writer takes the lock at BEGIN, which is our row lock on SQLite
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        if not parts.path.strip("/"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={shown!r} names no database; "
                "use postgres://USER:PASSWORD@HOST:PORT/NAME."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(
                f"DATABASE_URL={shown!r} has a bad port; it must be a number."
            ) from None
        options: dict[str, object] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw_max_age = str(options.pop("conn_max_age", "0"))
        try:
            conn_max_age = int(raw_max_age)
        except ValueError:
            raise ImproperlyConfigured(
                f"DATABASE_URL={shown!r}: conn_max_age={raw_max_age!r} is not a number of seconds."
            ) from None
        raw_pool = options.pop("pool", None)
        if raw_pool is not None:
            # psycopg's connection pool (Django >= 5.1): each worker thread borrows a
            # connection per request instead of opening one. conn_max_age must stay 0 with it,
            # and is no alternative under ASGI (docs/performance.md, "Database connections").
            try:
                max_size = int(str(raw_pool))
            except ValueError:
                max_size = 0
            if max_size < 1:
                raise ImproperlyConfigured(
                    f"DATABASE_URL={shown!r}: pool={raw_pool!r} must be the pool's size, "
                    "a whole number of connections >= 1."
                )
            if conn_max_age:
                raise ImproperlyConfigured(
                    f"DATABASE_URL={shown!r}: pool= and conn_max_age= exclude each other; "
                    "use the pool."
                )
            options["pool"] = {"min_size": min(2, max_size), "max_size": max_size, "timeout": 10}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.strip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={shown!r}: unsupported scheme {scheme!r}; use {DATABASE_URL_FORMS}."
    )


def parse_redis_url(url: str) -> str:
    """Check a ``redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``) URL; return it as is."""
    shown = redact_url(url)
    expected = "use redis://HOST:PORT/DB, rediss://HOST:PORT/DB or unix:///PATH"
    parts = urlsplit(url)
    if parts.scheme == "unix":
        if not parts.path:
            raise ImproperlyConfigured(f"REDIS_URL={shown!r} names no socket; {expected}.")
        return url
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ImproperlyConfigured(
            f"REDIS_URL={shown!r} is not a Redis URL with a host; {expected}."
        )
    try:
        parts.port  # noqa: B018 - urllib checks the port only when asked
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL={shown!r} has a bad port; {expected}.") from None
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ImproperlyConfigured(
            f"REDIS_URL={shown!r}: database {database!r} is not a number; {expected}."
        )
    return url


def redis_channel_prefix(url: str) -> str:
    """The channel layer's name prefix for a (checked) Redis URL: ``konsens.db<N>.``.

    Redis pub/sub ignores database numbers: a message published while using database 1 reaches
    subscribers using database 4. Naming channels and groups after the database keeps two
    installations (or two test runs) on one Redis apart, as their database numbers suggest.
    """
    parts = urlsplit(url)
    if parts.scheme == "unix":
        database = parse_qs(parts.query).get("db", ["0"])[-1]
    else:
        database = parts.path.strip("/") or "0"
    return f"konsens.db{database}."


EMAIL_URL_FORMS = (
    "smtp://USER:PASSWORD@HOST:587 (STARTTLS), smtps://USER:PASSWORD@HOST:465 (TLS from the "
    "start), smtp://HOST:25?tls=0 (no encryption) or console:// (print mails to the log)"
)


def parse_email_url(url: str) -> dict[str, Any]:
    """``EMAIL_URL`` → Django's ``EMAIL_*`` settings (backend, host, port, user, password,
    TLS or SSL). User and password may be percent-encoded."""
    shown = redact_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL={shown!r} is not a mail URL; use {EMAIL_URL_FORMS}.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"EMAIL_URL={shown!r} has a bad port; use {EMAIL_URL_FORMS}."
        ) from None
    query = parse_qs(parts.query)
    tls_values = query.get("tls", ["1"])
    if tls_values[-1] not in ("0", "1"):
        raise ImproperlyConfigured(f"EMAIL_URL={shown!r}: tls must be 0 or 1.")
    ssl = scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if ssl else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and tls_values[-1] == "1",
    }


def parse_broker_url(url: str, *, name: str = "CELERY_BROKER_URL") -> str:
    """Check the task queue's broker URL: Redis (``redis://HOST:PORT/DB``, ``rediss://``) or
    AMQP (``amqp://USER:PASSWORD@HOST:PORT/VHOST``); return it as is."""
    shown = redact_url(url)
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss", "unix"):
        try:
            return parse_redis_url(url)
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(str(exc).replace("REDIS_URL=", f"{name}=", 1)) from None
    if parts.scheme in ("amqp", "amqps", "pyamqp") and parts.hostname:
        return url
    raise ImproperlyConfigured(
        f"{name}={shown!r} is not a broker URL; use redis://HOST:PORT/DB (Redis) or "
        "amqp://USER:PASSWORD@HOST:PORT/VHOST (RabbitMQ)."
    )
