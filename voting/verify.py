"""Recompute a published vote record: ``python -m voting.verify record.json [SHA256]``.

The logic lives in ``voting.tally`` (standard library only), which the server counts with
and which result pages offer as a download, so ``python3 tally.py record.json`` is the same.
"""

from __future__ import annotations

from voting.tally import main

if __name__ == "__main__":
    raise SystemExit(main())
