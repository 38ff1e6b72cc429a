"""The settings of ``bench.commands``' server: production's, with the bench's own URLs (the
bare INSERT reference and the profiler switch). Never used outside the benchmark."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.commands_urls"
