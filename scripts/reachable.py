"""Exit 0 when every service URL given accepts a TCP connection, else print which does not."""

import socket
import sys
from urllib.parse import urlparse

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379}


def reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme]), timeout=2):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    missing = [url for url in sys.argv[1:] if not reachable(url)]
    for url in missing:
        print(f"unreachable: {url}", file=sys.stderr)
    sys.exit(1 if missing else 0)
