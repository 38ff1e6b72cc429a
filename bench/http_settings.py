"""The settings of ``bench.http``'s servers: production's, with the bench's own URLs (the
fixed byte string, the server's own ceiling). Never used outside the benchmark."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
