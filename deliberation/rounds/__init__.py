"""Rounds: agenda, phases, ratings, ideas, dispositions, revisions, the report and the diff.

The models live in ``deliberation.models`` (app label ``deliberation``)."""
