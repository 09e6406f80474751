"""The 代录 page's weight and time for a secretary (issue 14, finding 5), on the database that
DATABASE_URL names, seeded by `manage.py seed_demo` (it does not flush: it reads the demo).

Measures, in one run, GET /wishes/enter/ (the page), the picker's search
(GET /api/wish-residents/?q=) when it exists, and the baseline GET /api/wish-categories/;
prints a table and, as its last line, one JSON object:
`bench: "enter_page"`, `page_bytes`, `page_p50_ms`, `search_bytes`, `search_p50_ms`,
`baseline_p50_ms`, `ratio_p50` = page_p50 / baseline_p50.

    DATABASE_URL=postgres://... python bench/enter_page.py [--user secretary] [--rounds 30]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-enter-page-" + "x" * 40)


def timed(client, url: str, rounds: int) -> tuple[float, int, int]:
    times, size, status = [], 0, 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost")
        times.append((time.perf_counter() - start) * 1000)
        size, status = len(response.content), response.status_code
    return statistics.median(times), size, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="secretary")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--q", default="王")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User
    from apps.register.models import Resident

    settings.ALLOWED_HOSTS = ["*"]
    # The picker's search is throttled per user; the benchmark measures it, not the limit.
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = {"resident_search": "100000/min"}
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    from apps.accounts.scoping import scoped

    residents = scoped(user, Resident, "change").count()
    timed(client, "/wishes/enter/", 3)  # warm up
    page_ms, page_bytes, page_status = timed(client, "/wishes/enter/", args.rounds)
    from urllib.parse import quote

    search_url = f"/api/wish-residents/?q={quote(args.q)}"
    search_ms, search_bytes, search_status = timed(client, search_url, args.rounds)
    base_ms, _size, _status = timed(client, "/api/wish-categories/", args.rounds)
    print(f"{'residents in scope':24} {residents}")
    print(f"{'/wishes/enter/':24} {page_status} {page_bytes:>8} B {page_ms:8.1f} ms")
    print(f"{'picker search':24} {search_status} {search_bytes:>8} B {search_ms:8.1f} ms")
    print(f"{'baseline categories':24} {base_ms:8.1f} ms")
    result = {
        "bench": "enter_page",
        "user": args.user,
        "residents": residents,
        "page_bytes": page_bytes,
        "page_p50_ms": round(page_ms, 1),
        "search_status": search_status,
        "search_bytes": search_bytes,
        "search_p50_ms": round(search_ms, 1),
        "baseline_p50_ms": round(base_ms, 1),
        "ratio_p50": round(page_ms / base_ms, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
