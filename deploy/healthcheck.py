"""Container health check for a web replica: GET /healthz on this container, exit 0 on 200.

Runs inside the image (no curl there). It asks as the proxy would: with a Host the settings
allow (the first ALLOWED_HOSTS entry) and ``X-Forwarded-Proto: https``, so neither the host
check nor the HTTPS redirect answers instead of the view.
"""

from __future__ import annotations

import http.client
import os
import sys

PORT = int(os.environ.get("KONSENS_HEALTHCHECK_PORT", "8000"))


def allowed_host() -> str:
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=4)
    try:
        connection.request(
            "GET", "/healthz", headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        body = response.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"healthcheck: HTTP {response.status} {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
