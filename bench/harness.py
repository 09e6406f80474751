"""What bench/claim.py and bench/signup.py share: a geography with one community and
party branch, members with device tokens (bulk inserts), gunicorn on a free loopback port,
and the race itself — every client waits at a barrier, makes a trivial authenticated GET
(the baseline), waits again and makes the contested POST, once per round.

Importing this module sets the Django environment (settings, a throw-away SECRET_KEY,
DEBUG off); call `setup()` before touching models.
"""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(24))
os.environ.setdefault("DEBUG", "0")

BASELINE = "/api/wish-categories/"  # the trivial authenticated GET


def log_path(name: str) -> Path:
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"tongxin-bench-{name}-gunicorn.log"


def setup(script: str) -> None:
    """Django, on PostgreSQL only, migrated and emptied."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"bench/{script} needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


@dataclass
class World:
    district: object
    street: object
    community: object
    branch: object


def world() -> World:
    from apps.register.models import Area, PartyOrg

    district = Area.objects.add_root({"name": "北仑区", "kind": "district"})
    street = Area.objects.add_child(district, {"name": "大榭街道", "kind": "street"})
    community = Area.objects.add_child(street, {"name": "海城社区", "kind": "community"})
    branch = PartyOrg.objects.add_root(
        {"name": "海城社区党支部", "kind": "branch", "area": community}
    )
    return World(district, street, community, branch)


def members(w: World, prefix: str, n: int):
    """`n` employed members of the community's branch, each a user with the member role
    there. Returns (users, members)."""
    from apps.accounts.models import Role, RoleAssignment, User
    from apps.register.models import Member

    users = User.objects.bulk_create(User(username=f"{prefix}{i}") for i in range(n))
    rows = Member.objects.bulk_create(
        Member(user=u, name=f"党员{i}", branch=w.branch, community=w.community, kind="employed")
        for i, u in enumerate(users)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.MEMBER, area=w.community) for u in users
    )
    return users, rows


def tokens(users) -> list[str]:
    """One device token (the app's API token) per user."""
    from apps.accounts.models import DeviceToken

    return [DeviceToken.objects.create(u, name="bench")[1] for u in users]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(
    cmd: list[str], port: int, *, log: Path, env: dict | None, name: str
) -> subprocess.Popen:
    """Run the server `cmd` (its output in `log`) and wait until it answers the baseline GET
    on 127.0.0.1:`port`; exit the script if it does not within a minute."""
    out = open(log, "w")  # noqa: SIM115 - closed with the process
    full_env = {**os.environ, "LOG_LEVEL": "ERROR", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}{BASELINE}", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    sys.exit(f"{name} did not start")


def serve(
    port: int, workers: int, threads: int, *, log: Path, env: dict | None = None
) -> subprocess.Popen:
    """gunicorn (gthread) on 127.0.0.1:`port`, its log in a file, not the table. Keep-alive
    outlasts a round, so an idle connection is never closed under a waiting client."""
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    cmd += ["--worker-class", "gthread", "--log-level", "error", "--keep-alive", "600"]
    cmd += ["--backlog", "4096", "--timeout", "120"]
    return _start(cmd, port, log=log, env=env, name="gunicorn")


def serve_asgi(
    port: int, *, log: Path, workers: int = 1, env: dict | None = None
) -> subprocess.Popen:
    """uvicorn serving config.asgi (HTTP and the live hall's websockets) on 127.0.0.1:`port`,
    `workers` processes, its log in a file."""
    cmd = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    cmd += ["--workers", str(workers)]
    cmd += ["--backlog", "4096", "--ws-ping-interval", "60"]
    return _start(cmd, port, log=log, env=env, name="uvicorn")


def rss_kb(pid: int) -> int:
    """A process's resident memory with its children's (Linux /proc): uvicorn's workers."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += rss_kb(int(child))
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))]


@dataclass
class Race:
    """What the clients saw: per request kind the times, and per round the POST responses
    as (status code, JSON body)."""

    get_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    answers: list[list[tuple[int, dict]]] = field(default_factory=list)

    @property
    def errors_5xx(self) -> int:
        return sum(1 for s in self.statuses if s >= 500)


def race(port: int, tokens: list[str], paths: list[str], *, timeout: float = 120) -> Race:
    """One thread per token (keep-alive session, connection warmed first). Per round, all
    clients are released at once for the baseline GET, then at once for POST `paths[r]`."""
    import requests

    base = f"http://127.0.0.1:{port}"
    barrier = threading.Barrier(len(tokens))
    lock = threading.Lock()
    out = Race(answers=[[] for _ in paths])

    def client(token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        session.get(f"{base}{BASELINE}", timeout=timeout)
        for r, path in enumerate(paths):
            barrier.wait()
            t0 = time.perf_counter()
            g = session.get(f"{base}{BASELINE}", timeout=timeout)
            g_ms = (time.perf_counter() - t0) * 1000
            barrier.wait()
            t0 = time.perf_counter()
            p = session.post(f"{base}{path}", json={}, timeout=timeout)
            p_ms = (time.perf_counter() - t0) * 1000
            try:
                body = p.json()
            except ValueError:
                body = {}
            with lock:
                out.get_ms.append(g_ms)
                out.post_ms.append(p_ms)
                out.statuses.extend([g.status_code, p.status_code])
                out.answers[r].append((p.status_code, body if isinstance(body, dict) else {}))
        session.close()

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def published_wishes(script: str, clients: int, rounds: int) -> tuple[list[str], list[int]]:
    """`clients` members with device tokens, and `rounds` wishes submitted and published in
    one grid for them to race for (claim.py, live.py)."""
    setup(script)
    from django.db import connection

    from apps.accounts.models import Role, RoleAssignment, User
    from apps.register.models import Area, Household, Resident
    from apps.wishes import services
    from apps.wishes.models import WishCategory

    w = world()
    grid = Area.objects.add_child(w.community, {"name": "第1网格", "kind": "grid"})
    building = Area.objects.add_child(grid, {"name": "1幢", "kind": "building"})
    household = Household.objects.create(area=building, unit="1", room="101")
    resident_user = User.objects.create(username="bench-resident", name="王秀梅")
    Resident.objects.create(household=household, user=resident_user, name="王秀梅")
    worker = User.objects.create(username="bench-worker", name="陈网格")
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, area=grid)
    category = WishCategory.objects.get_or_create(name="助老")[0]
    users, _members = members(w, "bench-m", clients)
    keys = tokens(users)

    wish_ids = []
    for r in range(rounds):
        wish = services.wish_submit(actor=resident_user, title=f"心愿{r}", category=category)
        services.wish_publish(wish=wish, actor=worker)
        wish_ids.append(wish.pk)
    connection.close()
    return keys, wish_ids
