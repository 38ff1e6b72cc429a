"""Benchmarks and the soak test (issue 7). Run from the project root, e.g.
``python -m bench.fanout``; see ``docs/performance.md``."""
