"""The production static files storage: WhiteNoise's compressed, hashed files plus the
rewriting of ES module imports (``import … from "./store.js"`` becomes ``"./store.3f…e1.js"``),
so every module of the room is served under its hashed, cache-forever name and a deploy can
never mix an old module with a new one."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _relative_only(pattern: str) -> str:
    # Django matches specifiers starting with "." or "/"; ours are relative ("./", "../").
    # An absolute one appears only in comments showing how to import a module, e.g. in
    # voting/vote-panel.js, where it names the file itself: a cycle no pass count resolves.
    return pattern.replace("(?P<url>[./].*?)", r"(?P<url>\.\.?/.*?)").replace(
        r"""import\(["'](?P<url>.*?)["']\)""", r"""import\(["'](?P<url>\.\.?/.*?)["']\)"""
    )


_GLOB, _RULES = ManifestStaticFilesStorage._js_module_import_aggregation_patterns  # type: ignore[attr-defined]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    _js_module_import_aggregation_patterns = (
        _GLOB,
        tuple((_relative_only(regex), template) for regex, template in _RULES),
    )
    # A module's hash depends on the hashed names it imports, so each level of the import
    # chain (main → view → connection → store → vote-panel) costs a pass; room for deeper
    # chains. An import cycle still fails ("Max post-process passes exceeded"), as it should.
    max_post_process_passes = 10
