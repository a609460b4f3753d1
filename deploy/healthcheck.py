"""Docker HEALTHCHECK for a shelterbeds container: exit 0 if the service answers /health/ready.

The image runs any one of the three services, so this tries each service's port (from
SHELTERBEDS_<SERVICE>_PORT, else the default) and succeeds if one of them is ready. Ports with
nothing listening fail at once, so this stays quick. Standard library only.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PORTS = {"beds": 8101, "intake": 8102, "notifications": 8103}


def ready(port: int) -> bool:
    try:
        url = f"http://127.0.0.1:{port}/health/ready"
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main() -> int:
    ports = [
        int(os.environ.get(f"SHELTERBEDS_{name.upper()}_PORT", default))
        for name, default in DEFAULT_PORTS.items()
    ]
    return 0 if any(ready(port) for port in ports) else 1


if __name__ == "__main__":
    sys.exit(main())
