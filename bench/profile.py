"""Summarise py-spy's collapsed stacks (``bench.fanout --profile``): where a server's time
goes, by the function that was running (self) and by every function on the stack (inclusive).

    python -m bench.profile var/bench/<run>/profiles/konsens-steady-1000-0-posting.0.txt
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# "fn (path/to/file.py:123)" -> "fn (file.py)"
_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^:)]*)(?::\d+)?\)$")


def short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "lib/python3.11/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['fn']} ({path})"


def summarise(path: Path, top: int) -> str:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [short(f) for f in stack.split(";")]
        # Drop the thread header py-spy puts first ("process 123:..." / "thread (0x..)").
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        # Idle: the event loop waiting in select/epoll, or a pool thread waiting for work.
        idle = frames[-1].startswith(("select (", "poll (", "wait (", "_worker (")) or any(
            f.startswith(("doPoll (", "_poll (")) for f in frames[-2:]
        )
        if idle:
            continue
        total += n
        self_time[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{path.name}: {total} busy samples", "", "self:"]
    lines += [f"  {100 * c / total:5.1f} %  {f}" for f, c in self_time.most_common(top)]
    lines += ["", "inclusive:"]
    lines += [f"  {100 * c / total:5.1f} %  {f}" for f, c in inclusive.most_common(top * 2)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    for path in args.files:
        print(summarise(path, args.top))
        print()


if __name__ == "__main__":
    main()
