"""The image's HEALTHCHECK: exit 0 when /healthz of the local gunicorn answers 200.

Asks the way the TLS proxy does, with the first name of DJANGO_ALLOWED_HOSTS and
X-Forwarded-Proto: https, so that neither the host check (400) nor the HTTPS redirect (301)
answers instead of the view. Standard library only.
"""

import os
import sys
import urllib.request


def main() -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError:  # refused, timed out, or an HTTP error status
        return 1


if __name__ == "__main__":
    sys.exit(main())
