"""What permessage-deflate would cost a room socket (issue 17): memory per socket and CPU per
frame of the zlib states uvicorn's WebSocket protocol keeps for every socket that negotiates it
(browsers offer it; ``--ws-per-message-deflate=false`` in the image declines it). The
reference in the same run: the same frame written without compression (a ``bytes`` copy).
Every frame has another text (24 words of a small vocabulary), so the shared context does
not make later frames free.

    python -m bench.deflate                  # 2,000 sockets, a comment's event frame
    python -m bench.deflate --sockets 5000

The states are uvicorn's (``websockets_sansio_impl``): server and client window 2^12 bytes,
``memLevel`` 5, context kept between messages; the frame is a ``comment.created`` event as
``deliberation.eventlog.encode_frames`` builds it.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import zlib

WINDOW_BITS = 12
MEM_LEVEL = 5


WORDS = [
    "Integration",
    "Sprache",
    "Kurs",
    "Schule",
    "Arbeit",
    "Ziel",
    "Messung",
    "Beratung",
    "Quartier",
    "Familie",
    "Zugang",
    "Anerkennung",
    "Abschluss",
    "Teilhabe",
    "Gesundheit",
    "Verein",
    "Ehrenamt",
    "Wohnung",
    "Kita",
    "Elternarbeit",
]


def event_frame(n: int) -> bytes:
    text = " ".join(random.Random(n).choice(WORDS) for _ in range(24))
    comment = {
        "id": 486 + n,
        "goal": 18,
        "version": 18,
        "author": {"id": 7, "name": "Expertin 0"},
        "reply_to": None,
        "version_number": 1,
        "anchor": None,
        "placement": None,
        "state": "visible",
        "body": f"Beitrag {n}: {text}. Wie wird das **gemessen**?",
        "body_html": f"<p>Beitrag {n}: {text}. Wie wird das <strong>gemessen</strong>?</p>",
        "created_at": "2026-12-02T18:04:03.665629+00:00",
        "edited_at": None,
    }
    frame = {
        "type": "event",
        "seq": 2941 + n,
        "kind": "comment.created",
        "at": "2026-12-02T18:04:03.665629+00:00",
        "data": {"comment": comment},
    }
    return json.dumps(frame, ensure_ascii=False).encode()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--frames", type=int, default=5, help="frames sent to every socket")
    args = parser.parse_args(argv)
    n = args.sockets

    before = rss_bytes()
    states = []
    for _ in range(n):
        compressor = zlib.compressobj(wbits=-WINDOW_BITS, memLevel=MEM_LEVEL)
        decompressor = zlib.decompressobj(wbits=-WINDOW_BITS)
        # A socket's first frames each way: the states allocate their windows.
        decompressor.decompress(compressor.compress(event_frame(0)) + compressor.flush(2))
        states.append((compressor, decompressor))
    memory = (rss_bytes() - before) / n / 1024

    frames = [event_frame(i) for i in range(1, args.frames + 1)]
    start = time.process_time()
    sent = 0
    for frame in frames:
        for compressor, _ in states:
            sent += len(compressor.compress(frame) + compressor.flush(zlib.Z_SYNC_FLUSH))
    deflate_us = (time.process_time() - start) / (n * len(frames)) * 1e6

    start = time.process_time()
    for frame in frames:
        for _ in states:
            bytes(bytearray(frame))  # the reference: one copy of the frame per socket
    copy_us = (time.process_time() - start) / (n * len(frames)) * 1e6

    size = sum(len(f) for f in frames) / len(frames)
    print(f"`python -m bench.deflate --sockets {n} --frames {args.frames}`\n")
    print("| per socket | permessage-deflate | without (reference) |")
    print("|---|---|---|")
    print(f"| memory (zlib states, RSS) | {memory:.1f} KiB | 0 KiB |")
    print(f"| CPU per event frame ({size:.0f} B) | {deflate_us:.1f} µs | {copy_us:.2f} µs |")
    print(f"| bytes on the wire per frame | {sent / (n * len(frames)):.0f} B | {size:.0f} B |")


if __name__ == "__main__":
    main()
