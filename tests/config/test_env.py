"""The typed environment readers in ``config.env``: what they accept, and how they refuse."""

from __future__ import annotations

import os
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from config import env

BASE = Path("/srv/konsens")


@contextmanager
def environ(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) variables for one block; hypothesis runs many examples in one
    test, so pytest's function-scoped monkeypatch does not fit."""
    with mock.patch.dict(os.environ):
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield


# -- booleans ------------------------------------------------------------------------------


@given(
    word=st.sampled_from(["1", "true", "yes", "on", "0", "false", "no", "off"]),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "\t"]),
)
def test_env_bool_accepts_the_usual_words_in_any_case(word: str, upper: bool, pad: str) -> None:
    raw = pad + (word.upper() if upper else word) + pad
    with environ(KONSENS_FLAG=raw):
        assert env.env_bool("KONSENS_FLAG") is (word in {"1", "true", "yes", "on"})


# What an environment can hold: no NUL, no lone surrogates (os.environ refuses both).
_env_text = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
_not_a_boolean = st.text(alphabet=_env_text, min_size=1).filter(
    lambda s: s.strip().lower() not in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}
)


@given(_not_a_boolean)
def test_env_bool_refuses_anything_else_and_names_the_variable(raw: str) -> None:
    with environ(KONSENS_FLAG=raw), pytest.raises(ImproperlyConfigured) as refused:
        env.env_bool("KONSENS_FLAG")
    assert "KONSENS_FLAG=" in str(refused.value)
    assert "is not a boolean" in str(refused.value)


def test_env_bool_unset_gives_the_default() -> None:
    with environ(KONSENS_FLAG=None):
        assert env.env_bool("KONSENS_FLAG", default=True) is True
        assert env.env_bool("KONSENS_FLAG", default=False) is False


# -- integers ------------------------------------------------------------------------------


@given(st.integers(min_value=5, max_value=10**12), st.sampled_from(["", " "]))
def test_env_int_reads_integers_at_or_above_the_minimum(value: int, pad: str) -> None:
    with environ(KONSENS_N=f"{pad}{value}{pad}"):
        assert env.env_int("KONSENS_N", 60, minimum=5) == value


@given(st.integers(max_value=4))
def test_env_int_refuses_values_below_the_minimum(value: int) -> None:
    with environ(KONSENS_N=str(value)), pytest.raises(ImproperlyConfigured, match="at least 5"):
        env.env_int("KONSENS_N", 60, minimum=5)


@pytest.mark.parametrize("raw", ["abc", "1.5", "10s", "0x10", "1e3"])
def test_env_int_refuses_non_integers(raw: str) -> None:
    with environ(KONSENS_N=raw), pytest.raises(ImproperlyConfigured) as refused:
        env.env_int("KONSENS_N", 60)
    assert str(refused.value) == f"KONSENS_N={raw!r} is not an integer (e.g. 60)."


def test_env_int_empty_gives_the_default() -> None:
    with environ(KONSENS_N="  "):
        assert env.env_int("KONSENS_N", 60) == 60


# -- lists, hosts, origins -----------------------------------------------------------------

_items = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=20),
    min_size=1,
    max_size=5,
)


@given(_items, st.sampled_from([",", ", ", " ,"]))
def test_env_list_splits_on_commas_and_strips(items: list[str], separator: str) -> None:
    with environ(KONSENS_LIST=separator.join(items)):
        assert env.env_list("KONSENS_LIST", ["default"]) == items


@pytest.mark.parametrize("raw", ["a,,b", "a,", ",a", "a, ,b"])
def test_env_list_refuses_an_empty_entry(raw: str) -> None:
    with environ(KONSENS_LIST=raw), pytest.raises(ImproperlyConfigured, match="empty entry"):
        env.env_list("KONSENS_LIST", [])


def test_env_list_set_but_empty_is_an_empty_list_and_unset_the_default() -> None:
    with environ(KONSENS_LIST=""):
        assert env.env_list("KONSENS_LIST", ["x"]) == []
    with environ(KONSENS_LIST=None):
        assert env.env_list("KONSENS_LIST", ["x"]) == ["x"]


@pytest.mark.parametrize(
    "raw", ["konsens.example.org", ".example.org", "*", "127.0.0.1", "[::1]", "a.org,b.org"]
)
def test_env_hosts_accepts_host_names(raw: str) -> None:
    with environ(KONSENS_HOSTS=raw):
        assert env.env_hosts("KONSENS_HOSTS", []) == raw.split(",")


@pytest.mark.parametrize(
    "raw", ["https://konsens.example.org", "konsens.example.org/", "localhost:8000", "::1"]
)
def test_env_hosts_refuses_urls_ports_and_paths(raw: str) -> None:
    with environ(KONSENS_HOSTS=raw), pytest.raises(ImproperlyConfigured, match="not a host name"):
        env.env_hosts("KONSENS_HOSTS", [])


@pytest.mark.parametrize(
    "raw", ["https://konsens.example.org", "http://127.0.0.1:8000", "https://*.example.org"]
)
def test_env_origins_accepts_origins(raw: str) -> None:
    with environ(KONSENS_ORIGINS=raw):
        assert env.env_origins("KONSENS_ORIGINS") == [raw]


@pytest.mark.parametrize("raw", ["example.org", "https://", "ftp://example.org", "//example.org"])
def test_env_origins_refuses_entries_without_scheme_or_host(raw: str) -> None:
    with environ(KONSENS_ORIGINS=raw), pytest.raises(ImproperlyConfigured, match="not an origin"):
        env.env_origins("KONSENS_ORIGINS")


def test_env_choice_is_case_insensitive_and_refuses_unknown_values() -> None:
    with environ(KONSENS_LEVEL="warning"):
        assert env.env_choice("KONSENS_LEVEL", "INFO", ("INFO", "WARNING")) == "WARNING"
    with environ(KONSENS_LEVEL="loud"), pytest.raises(ImproperlyConfigured) as refused:
        env.env_choice("KONSENS_LEVEL", "INFO", ("INFO", "WARNING"))
    assert str(refused.value) == "KONSENS_LEVEL='loud' is not one of INFO, WARNING."


# -- secrets -------------------------------------------------------------------------------


def test_env_secret_reads_the_file_and_strips_the_newline(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    with environ(KONSENS_KEY=None, KONSENS_KEY_FILE=str(secret)):
        assert env.env_secret("KONSENS_KEY") == "s3cr3t"


def test_env_secret_refuses_both_the_value_and_the_file(tmp_path: Path) -> None:
    with (
        environ(KONSENS_KEY="x", KONSENS_KEY_FILE=str(tmp_path / "secret")),
        pytest.raises(ImproperlyConfigured, match="either KONSENS_KEY or KONSENS_KEY_FILE"),
    ):
        env.env_secret("KONSENS_KEY")


@pytest.mark.parametrize("content", [None, "", "\n"])
def test_env_secret_refuses_a_missing_or_empty_file(tmp_path: Path, content: str | None) -> None:
    secret = tmp_path / "secret"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    with (
        environ(KONSENS_KEY=None, KONSENS_KEY_FILE=str(secret)),
        pytest.raises(ImproperlyConfigured) as refused,
    ):
        env.env_secret("KONSENS_KEY")
    assert f"KONSENS_KEY_FILE={str(secret)!r}" in str(refused.value)


# -- URLs ----------------------------------------------------------------------------------

_part = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~!$&'()*+,;=:@/?#[]% ", min_size=1
)
_host = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){0,2}", fullmatch=True)


@given(
    user=_part,
    password=_part,
    host=_host,
    port=st.integers(min_value=1, max_value=65535),
    name=_part,
)
def test_parse_database_url_round_trips_quoted_postgres_urls(
    user: str, password: str, host: str, port: int, name: str
) -> None:
    url = f"postgres://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/"
    url += quote(name, safe="")
    config = env.parse_database_url(url, base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        user,
        password,
        host,
        str(port),
        name,
    )


def test_parse_database_url_passes_options_and_reads_conn_max_age() -> None:
    config = env.parse_database_url(
        "postgresql://konsens@db/konsens?sslmode=require&conn_max_age=60", base_dir=BASE
    )
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] == 60
    assert config["PORT"] == ""


def test_parse_database_url_turns_pool_into_psycopgs_connection_pool() -> None:
    config = env.parse_database_url("postgres://konsens@db/konsens?pool=20", base_dir=BASE)
    assert config["OPTIONS"] == {"pool": {"min_size": 2, "max_size": 20, "timeout": 10}}
    assert config["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pool=0", "must be the pool's size"),
        ("pool=many", "must be the pool's size"),
        ("pool=10&conn_max_age=60", "exclude each other"),
    ],
)
def test_parse_database_url_refuses_a_bad_pool(query: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env.parse_database_url(f"postgres://konsens@db/konsens?{query}", base_dir=BASE)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///var/konsens.sqlite3", BASE / "var/konsens.sqlite3"),
        ("sqlite:////tmp/konsens.sqlite3", Path("/tmp/konsens.sqlite3")),
    ],
)
def test_parse_database_url_reads_relative_and_absolute_sqlite_paths(url: str, path: Path) -> None:
    config = env.parse_database_url(url, base_dir=BASE)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)
    assert config["TEST"] == {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x/y", "unsupported scheme 'mysql'"),
        ("konsens.sqlite3", "unsupported scheme ''"),
        ("sqlite://", "names no SQLite file"),
        ("postgres://host", "names no database"),
        ("postgres://host/", "names no database"),
        ("postgres://host:port/db", "has a bad port"),
        ("postgres://host/db?conn_max_age=forever", "conn_max_age='forever' is not a number"),
    ],
)
def test_parse_database_url_refuses_bad_urls_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env.parse_database_url(url, base_dir=BASE)


@given(
    password=st.text(alphabet=string.ascii_letters + string.digits, min_size=6).map("Pw".__add__)
)
def test_database_url_messages_never_show_the_password(password: str) -> None:
    for url in (f"postgres://konsens:{password}@db", f"mysql://konsens:{password}@db/konsens"):
        with pytest.raises(ImproperlyConfigured) as refused:
            env.parse_database_url(url, base_dir=BASE)
        assert password not in str(refused.value)
        assert "konsens:***@db" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://redis",
        "rediss://:pw@redis.example.org:6380/2",
        "unix:///run/redis.sock",
    ],
)
def test_parse_redis_url_accepts_redis_urls(url: str) -> None:
    assert env.parse_redis_url(url) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://x", "not a Redis URL with a host"),
        ("redis://", "not a Redis URL with a host"),
        ("127.0.0.1:6379", "not a Redis URL with a host"),
        ("redis://x:port/0", "has a bad port"),
        ("redis://x:6379/zero", "database 'zero' is not a number"),
        ("unix://", "names no socket"),
    ],
)
def test_parse_redis_url_refuses_bad_urls_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        env.parse_redis_url(url)


def test_redis_url_messages_never_show_the_password() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        env.parse_redis_url("redis://:hunter22@x:6379/zero")
    assert "hunter22" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("redis://127.0.0.1:6379/4", "konsens.db4."),
        ("redis://127.0.0.1:6379", "konsens.db0."),
        ("rediss://redis/12", "konsens.db12."),
        ("unix:///run/redis.sock?db=3", "konsens.db3."),
    ],
)
def test_channel_names_carry_the_redis_database_number(url: str, prefix: str) -> None:
    assert env.redis_channel_prefix(url) == prefix
