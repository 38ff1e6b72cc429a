"""Optional error reporting with the Sentry SDK (Sentry, or a compatible service such as
GlitchTip): initialised by the settings only when ``SENTRY_DSN`` is set; otherwise the SDK is
not even imported. No personal data is sent (``send_default_pii=False``: no user, no cookies,
no client address), and no performance traces unless ``SENTRY_TRACES_SAMPLE_RATE`` asks."""

from __future__ import annotations

from importlib import metadata


def release() -> str:
    """The installed ``konsens`` distribution's version (the image installs the project)."""
    try:
        return metadata.version("konsens")
    except metadata.PackageNotFoundError:
        return "unknown"


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    raw_rate = traces_sample_rate
    try:
        rate = float(raw_rate)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"SENTRY_TRACES_SAMPLE_RATE={raw_rate!r} must be a number from 0 to 1."
        )
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release,
        send_default_pii=False,
        traces_sample_rate=rate,
    )
