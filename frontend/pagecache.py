"""The anonymous page cache: public pages and public API reads, rendered once per change.

A public page changes only when something is written, so an anonymous visitor's ``GET`` is
answered from Django's cache (``CACHES["default"]``: Redis with ``REDIS_URL``, shared by every
process; else local memory) until the next committed write. Two halves:

* **Serving** (``PageCache``, the ASGI app around Django's, ``config/asgi.py``). A request is
  *eligible* when it is a ``GET`` without credentials: no session cookie, no messages cookie,
  no ``Authorization`` header. Its key is the scheme, host, path and query, the language
  (chosen exactly as ``LocaleMiddleware`` chooses it: the language cookie, then
  ``Accept-Language``), gzip or not, and ``Accept``. A hit is sent from the cache without
  entering Django at all (the stored headers are the ones the whole middleware stack made,
  security headers included; only ``X-Request-ID`` is new). A miss goes through Django; the
  response is stored when its view is in ``CACHEABLE_VIEWS``, its status is 200 and it sets
  no cookie (a CSRF token always sets one, so no page with a form token is ever stored), says
  nothing against storing (``Cache-Control: private/no-store/no-cache``) and varies on
  nothing but the key's headers.
* **Invalidating** (``install``, from ``FrontendConfig.ready`` in every process: web, worker,
  management commands). Every entry carries the *generation* it was rendered in; the current
  generation is one cache key, set to a new random value after every committed write to a
  table a public page may show. The write is noticed in one place for all writers: a
  wrapper on each database connection (``connection.execute_wrapper``) that sees every
  ``INSERT``/``UPDATE``/``DELETE`` — services, room events, the admin, management commands,
  data migrations alike — and bumps the generation after the transaction commits (at once
  in autocommit). A request reads the generation *before* it renders, so a render that read
  old rows is stored under an old generation nobody asks for any more: a page is never stale
  after its change committed.

Time alone changes a few things a page shows (an idea deadline passing, "3 minutes ago"):
entries live at most ``PAGE_CACHE_TIMEOUT`` seconds (60). ``PAGE_CACHE`` switches it all; it
is on by default only with ``REDIS_URL``, because a process-local cache cannot hear another
process's writes (docs/operations.md, "Page cache").
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

import redis
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db.backends.signals import connection_created
from django.http.cookie import parse_cookie
from django.urls import Resolver404, resolve
from django.utils.translation import get_language_from_request
from prometheus_client import Counter

from kernel import requestid

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

GENERATION_KEY = "pagecache:generation"
KEY_PREFIX = "pagecache:page:"
MAX_BODY = 2 * 1024 * 1024  # bytes; a larger response is sent, not stored

# The views whose anonymous GETs are stored: what anyone may read, the same for everyone.
CACHEABLE_VIEWS = frozenset(
    {
        "frontend:concept",
        "frontend:action_field",
        "frontend:goal",
        "frontend:rooms",
        "voting:concept_document_current",
        "voting:concept_document",
        "voting:concept_print",
        "voting:concept_markdown",
        "participation:index",
        "participation:ideas",
        "participation:opinions",
        "participation:contribution",
        "api-concept-list",
        "api-concept-detail",
        "api-action-field-list",
        "api-action-field-detail",
        "api-goal-list",
        "api-goal-detail",
        "api-goal-version-list",
        "api-goal-version-detail",
        "api-circle-list",
        "api-circle-detail",
    }
)

# Tables no cached page shows, written often or by anyone: a write there bumps nothing.
# (Sessions and presence heartbeats would otherwise empty the cache every few seconds.)
QUIET_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "api_apitoken",
        "rooms_roomticket",
        "rooms_presencereport",
        "notifications_notification",
        "notifications_notificationpreference",
        "accounts_invitation",
        "participation_invitation",
    }
)

# Request headers a stored response may vary on: they are part of the key (Cookie: only the
# language cookie can reach an eligible request's page, and it is in the key as the language).
KEYED_VARY = frozenset({"accept", "accept-encoding", "accept-language", "cookie"})
STRIPPED = frozenset({b"x-request-id", b"x-cache"})
_GZIP = re.compile(rb"\bgzip\b")
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"([^"]+)"|`([^`]+)`|([\w.]+))', re.I
)

requests_total = Counter(
    "konsens_page_cache_requests_total",
    "Anonymous GETs by what the page cache did: hit, miss (rendered; stored or not), bypass.",
    ["result"],
)
_HIT, _MISS, _BYPASS = (requests_total.labels(r) for r in ("hit", "miss", "bypass"))


# --- the generation ---------------------------------------------------------------------------


def bump() -> None:
    """A new generation: every stored page is out of date. Called after a committed write,
    with the cache switched off too: a process without it (a worker configured apart, a
    replica before a redeploy) must still invalidate what the others stored."""
    try:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            # One SET on a client kept for the process: Django's cache builds a new redis-py
            # client (and its table of reply parsers) for every call, which was a tenth of a
            # room command's CPU time (docs/performance.md, "Round 2").
            _sync_client(backend).set(
                backend.make_and_validate_key(GENERATION_KEY), _new_generation()
            )
        else:
            cache.set(GENERATION_KEY, _new_generation(), None)
    except Exception:  # the cache is down: its reads fail too, and pages are rendered
        logger.exception("page cache: the generation could not be bumped")


_sync_clients: dict[str, Any] = {}


def _sync_client(backend: RedisCache) -> Any:
    server = backend._servers[0]  # type: ignore[attr-defined]  # the cache's own server
    client = _sync_clients.get(server)
    if client is None:  # redis-py's client is thread-safe (a pool of connections)
        client = _sync_clients[server] = redis.Redis.from_url(
            server, socket_timeout=1, socket_connect_timeout=1
        )
    return client


def _new_generation() -> int:
    # An int: Django's Redis serializer stores it as plain digits, which the hit path reads
    # with one asynchronous GET (``_generation``). Random, so a lost key never comes back as
    # an old value.
    return secrets.randbits(62)


def _bump_after_commit() -> None:
    bump()


def _watch_writes(
    execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: Any
) -> Any:
    """The connection's execute wrapper: run the statement; if it wrote a table a public page
    may show, bump the generation after the commit (once per transaction)."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and (match := _WRITE.match(sql)):
        table = next(name for name in match.groups() if name)
        if table not in QUIET_TABLES:
            logger.debug("page cache: %s written, the pages are out of date", table)
            connection = context["connection"]
            if not connection.in_atomic_block:
                bump()  # autocommit: the statement has committed
            elif not any(entry[1] is _bump_after_commit for entry in connection.run_on_commit):
                connection.on_commit(_bump_after_commit)
    return result


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def install() -> None:
    """Watch every database connection's writes (idempotent; ``FrontendConfig.ready``)."""
    connection_created.connect(_on_connection, dispatch_uid="frontend.pagecache.watch_writes")


# --- serving ----------------------------------------------------------------------------------


class _Visitor:
    """What ``get_language_from_request`` reads of a request, from the ASGI scope."""

    def __init__(self, cookies: dict[str, str], accept_language: str) -> None:
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept_language}
        self.path_info = "/"


def _headers(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        found[name] = found[name] + b", " + value if name in found else value
    return found


def page_key(scope: Scope) -> str | None:
    """The cache key of an eligible request, or None when it must go to Django unseen."""
    if scope["type"] != "http" or scope.get("method") != "GET" or not settings.PAGE_CACHE:
        return None
    headers = _headers(scope)
    if b"authorization" in headers:
        return None
    cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    scheme = scope.get("scheme", "http")
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        forwarded = headers.get(proxy[0][5:].lower().replace("_", "-").encode(), b"")
        scheme = "https" if forwarded.split(b",")[0].strip() == proxy[1].encode() else scheme
    visitor: Any = _Visitor(cookies, headers.get(b"accept-language", b"").decode("latin-1"))
    language = get_language_from_request(visitor)
    parts = (
        scheme,
        headers.get(b"host", b"").decode("latin-1"),
        scope.get("path", ""),
        scope.get("query_string", b"").decode("latin-1"),
        language,
        "gzip" if _GZIP.search(headers.get(b"accept-encoding", b"")) else "identity",
        headers.get(b"accept", b"").decode("latin-1"),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return KEY_PREFIX + digest


def _cache_call(function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
    """Local memory answers at once, in the event loop; a networked cache (Redis) in a worker
    thread, so a slow cache server never stalls the loop that serves the rooms too."""
    if isinstance(caches["default"], LocMemCache):

        async def direct() -> Any:
            return function(*args)

        return direct()
    return sync_to_async(function, thread_sensitive=False)(*args)


def _current_generation() -> int:
    """The generation; a missing one (first start, an evicted key) is created."""
    generation = cache.get(GENERATION_KEY)
    if type(generation) is not int:  # missing, or another format's: start a new one
        cache.set(GENERATION_KEY, _new_generation(), None)
        generation = cache.get(GENERATION_KEY)
    return int(generation)


# Redis: the generation is read with redis-py's asyncio client, one GET in the event loop and
# no thread; one client per event loop (a server has one).
_async_clients: dict[int, Any] = {}


async def _generation() -> int:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return int(await _cache_call(_current_generation))
    loop = id(asyncio.get_running_loop())
    client = _async_clients.get(loop)
    if client is None:
        client = _async_clients[loop] = aioredis.Redis.from_url(
            backend._servers[0],  # type: ignore[attr-defined]  # the cache's own server
            socket_timeout=1,
            socket_connect_timeout=1,
        )
    raw = await client.get(backend.make_and_validate_key(GENERATION_KEY))
    if raw is None or not raw.isdigit():
        return int(await _cache_call(_current_generation))
    return int(raw)


class _Local:
    """The bodies this process served last, so a hit needs only the generation from the
    shared cache; bounded (the oldest goes first)."""

    size = 256

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Any, ...]] = {}

    def get(self, key: str) -> tuple[Any, ...] | None:
        return self.entries.get(key)

    def put(self, key: str, entry: tuple[Any, ...]) -> None:
        self.entries.pop(key, None)
        if len(self.entries) >= self.size:
            del self.entries[next(iter(self.entries))]
        self.entries[key] = entry


local = _Local()


async def _lookup(key: str) -> tuple[int, Any]:
    """(current generation, a stored entry of that generation or None)."""
    generation = await _generation()
    entry = local.get(key)
    if entry is not None and entry[0] == generation:
        return generation, entry
    entry = await _cache_call(cache.get, key)
    if entry is not None and entry[0] == generation:
        local.put(key, entry)
        return generation, entry
    return generation, None


def _storable(scope: Scope, status: int, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    if status != 200:
        return False
    for name, value in headers:
        name = name.lower()
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and re.search(rb"private|no-store|no-cache", value, re.I):
            return False
        if name == b"vary":
            varied = {v.strip().lower() for v in value.decode("latin-1").split(",")}
            if not varied <= KEYED_VARY:
                return False
    try:
        match = resolve(scope.get("path", ""))
    except Resolver404:
        return False
    return match.view_name in CACHEABLE_VIEWS


class PageCache:
    """ASGI middleware: answer eligible requests from the cache, store what may be stored."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = page_key(scope)
        if key is None:
            if scope["type"] == "http":
                _BYPASS.inc()
            await self.app(scope, receive, send)
            return
        try:
            generation, entry = await _lookup(key)
        except Exception as exc:  # the cache is down: render; one line a request, no trace
            logger.warning("page cache: lookup failed (%s: %s); rendering", type(exc).__name__, exc)
            _BYPASS.inc()
            await self.app(scope, receive, send)
            return
        if entry is not None:
            _HIT.inc()
            await self._replay(scope, send, entry)
            return
        _MISS.inc()
        await self._render(scope, receive, send, key, generation)

    @staticmethod
    async def _replay(scope: Scope, send: Send, entry: tuple[Any, ...]) -> None:
        _generation, status, headers, body = entry
        incoming = _headers(scope).get(b"x-request-id", b"").decode("latin-1")
        rid = requestid.accepted_id(incoming)
        requestid.current.set(rid)  # the server's access line carries it, as for Django's
        out = [*headers, (b"x-request-id", rid.encode()), (b"x-cache", b"hit")]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: str, generation: int
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start["status"] = message["status"]
                start["headers"] = list(message.get("headers", ()))
                message = {**message, "headers": [*start["headers"], (b"x-cache", b"miss")]}
            elif message["type"] == "http.response.body" and size <= MAX_BODY:
                body = message.get("body", b"")
                size += len(body)
                chunks.append(body)
                if not message.get("more_body", False):
                    start["complete"] = True
            await send(message)

        await self.app(scope, receive, capture)
        if not start.get("complete") or size > MAX_BODY:
            return
        if not _storable(scope, start["status"], start["headers"]):
            return
        headers = [(n, v) for n, v in start["headers"] if n.lower() not in STRIPPED]
        entry = (generation, start["status"], headers, b"".join(chunks))
        try:
            await _cache_call(cache.set, key, entry, settings.PAGE_CACHE_TIMEOUT)
            local.put(key, entry)
        except Exception:
            logger.exception("page cache: storing failed")
