# syntax=docker/dockerfile:1
# Konsens: one image for the web replicas and the one-shot migration.
# Build:  docker build -t konsens .      Run: see docker-compose.yml and the README.

# --- build: dependencies, translations, static files --------------------------------------
FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext for compilemessages; it stays in this stage only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, exactly as locked (versions and hashes, requirements.lock): this layer
# is rebuilt only when the lock file changes, and a changed or unknown file fails the build.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .

# Static files are collected with the production storage (hashed names plus a manifest), so the
# settings run as in production; the secret exists only for this command.
RUN export DEBUG=0 ALLOWED_HOSTS=build.invalid \
        SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --no-input -v 0 \
    && pip install --no-deps --no-build-isolation . \
    && rm -rf build konsens.egg-info

# --- run ----------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    DEBUG=0 \
    LOG_FORMAT=json

RUN groupadd --system --gid 10001 konsens \
    && useradd --system --uid 10001 --gid konsens --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin konsens

COPY --from=build /usr/local /usr/local
# Code and collected static files belong to root: the app user can read them, not change them.
COPY --from=build /app /app
WORKDIR /app

USER konsens
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

# uvicorn, not Daphne: half the CPU per delivered frame in the fan-out benchmark
# (docs/performance.md, "Which server compose should run"). Same ASGI application.
# docker-compose.yml's `web` runs the same command (a test compares them).
CMD ["uvicorn", "--host=0.0.0.0", "--port=8000", "--loop=uvloop", "--http=httptools", "--ws=websockets-sansio", "--ws-max-size=1048576", "--ws-per-message-deflate=false", "--ws-ping-interval=20", "--ws-ping-timeout=70", "--lifespan=off", "--timeout-graceful-shutdown=15", "--log-config=deploy/uvicorn-logging.json", "config.asgi:application"]
