"""Shared kernel: domain errors, Markdown rendering and input checks, used by every bounded
context and importing none of them."""
