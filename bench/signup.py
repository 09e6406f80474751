"""Benchmark: N members sign up for one activity occurrence at once through the real HTTP
stack; then an assignment proposal for 3,000 registrations and 150 posts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tx_bench python bench/signup.py \
        [--clients 500] [--capacity 30]

Builds its own data in the database DATABASE_URL names (it WIPES that database), serves the
app with gunicorn on a free loopback port and releases `--clients` threads (one member and
token each, keep-alive sessions) at once against one occurrence per round (a weekly series,
so the rounds do not overlap in time); in the same rounds the same clients make a trivial
authenticated GET (`/api/wish-categories/`) as the baseline. Then it times the proposal
(apps.volunteers.services.proposal_make, the app's own code) beside the greedy baseline.
Prints a table, then one JSON line (see ../shared/BENCH.md).
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(24))
os.environ.setdefault("DEBUG", "0")

from bench.claim import LOG, free_port, pct  # noqa: E402

SKILLS = ["法律", "医疗", "教育", "文艺", "环保", "交通", "安保", "照护", "维修", "宣讲", "体育"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=500, help="concurrent members (default 500)")
    p.add_argument("--capacity", type=int, default=30, help="places per occurrence")
    p.add_argument("--rounds", type=int, default=3, help="occurrences raced for, one per round")
    p.add_argument("--registrations", type=int, default=3000)
    p.add_argument("--posts", type=int, default=150)
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    return p.parse_args()


def _world():
    from apps.accounts.models import Role, RoleAssignment, User
    from apps.register.models import Area, PartyOrg

    district = Area.objects.add_root({"name": "北仑区", "kind": "district"})
    street = Area.objects.add_child(district, {"name": "大榭街道", "kind": "street"})
    community = Area.objects.add_child(street, {"name": "海城社区", "kind": "community"})
    branch = PartyOrg.objects.add_root(
        {"name": "海城社区党支部", "kind": "branch", "area": community}
    )
    secretary = User.objects.create(username="bench-secretary", name="周书记")
    RoleAssignment.objects.create(user=secretary, role=Role.SECRETARY, area=community)
    return community, branch, secretary


def _members(prefix: str, n: int, community, branch):
    from apps.accounts.models import Role, RoleAssignment, User
    from apps.register.models import Member

    users = User.objects.bulk_create(User(username=f"{prefix}{i}") for i in range(n))
    members = Member.objects.bulk_create(
        Member(user=u, name=f"党员{i}", branch=branch, community=community, kind="employed")
        for i, u in enumerate(users)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.MEMBER, area=community) for u in users
    )
    return users, members


def build(args):
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        sys.exit("bench/signup.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from rest_framework.authtoken.models import Token

    from apps.volunteers import services

    community, branch, secretary = _world()
    users, _members_ = _members("bench-m", args.clients, community, branch)
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    activity = services.activity_create(
        actor=secretary,
        community=community,
        title="温暖星期五",
        place="党群服务中心",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=args.capacity,
        weeks=args.rounds,
    )
    occurrence_ids = list(activity.occurrences.order_by("starts_at").values_list("pk", flat=True))
    connection.close()
    return [t.key for t in tokens], occurrence_ids, community, branch, secretary


def serve(port: int, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn as in bench/claim.py, with keep-alive longer than a round: 500 clients queue
    behind one row lock, and a connection closed while idle would reset the next request."""
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    cmd += ["--worker-class", "gthread", "--log-level", "error", "--keep-alive", "600"]
    cmd += ["--backlog", "4096", "--timeout", "120"]
    log = open(LOG, "w")  # noqa: SIM115 - closed with the process
    env = {**os.environ, "LOG_LEVEL": "ERROR"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/wish-categories/", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("gunicorn did not start")


def run(port: int, tokens: list[str], occurrence_ids: list[int]):
    import requests

    base = f"http://127.0.0.1:{port}"
    barrier = threading.Barrier(len(tokens))
    lock = threading.Lock()
    get_ms, signup_ms, statuses, outcomes = [], [], [], []

    def client(token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        session.get(f"{base}/api/wish-categories/", timeout=120)  # warm the connection
        for occurrence_id in occurrence_ids:
            barrier.wait()
            t0 = time.perf_counter()
            g = session.get(f"{base}/api/wish-categories/", timeout=120)
            g_ms = (time.perf_counter() - t0) * 1000
            barrier.wait()
            t0 = time.perf_counter()
            s = session.post(
                f"{base}/api/volunteer-occurrences/{occurrence_id}/signup/", timeout=120
            )
            s_ms = (time.perf_counter() - t0) * 1000
            outcome = s.json().get("status") if s.status_code == 201 else s.json().get("code")
            with lock:
                get_ms.append(g_ms)
                signup_ms.append(s_ms)
                statuses.extend([g.status_code, s.status_code])
                outcomes.append(outcome)
        session.close()

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return get_ms, signup_ms, statuses, outcomes


def check(occurrence_ids: list[int], capacity: int) -> dict:
    """Per occurrence: signed up, waitlisted, and whether the waitlist follows arrival order
    (arrivals 1..capacity signed up, the rest waitlisted, numbered without gaps)."""
    from apps.volunteers.models import SignUp

    signed, waiting, in_order = [], [], True
    for occurrence_id in occurrence_ids:
        rows = list(
            SignUp.objects.filter(occurrence_id=occurrence_id)
            .order_by("arrival")
            .values_list("arrival", "status")
        )
        signed.append(sum(s == "signed_up" for _a, s in rows))
        waiting.append(sum(s == "waitlisted" for _a, s in rows))
        expected = [
            (i + 1, "signed_up" if i < capacity else "waitlisted") for i in range(len(rows))
        ]
        in_order = in_order and rows == expected
    return {"signed_up": signed, "waitlisted": waiting, "waitlist_in_order": in_order}


def proposal_bench(args, community, branch, secretary) -> dict:
    """3,000 registrations (skewed choices: a few popular posts) over 150 posts."""
    from django.db import connection

    from apps.volunteers import proposal, services
    from apps.volunteers.models import Post, VolunteerRegistration

    rng = random.Random(2026)
    posts = Post.objects.bulk_create(
        Post(
            community=community,
            name=f"岗位{j}",
            capacity=rng.randint(10, 30),
            skills=rng.sample(SKILLS, 2),
        )
        for j in range(args.posts)
    )
    weights = [rng.paretovariate(1.0) for _ in posts]
    _users, members = _members("bench-r", args.registrations, community, branch)
    regs = []
    for m in members:
        picks = list(dict.fromkeys(rng.choices(posts, weights=weights, k=6)))[:3] + [None] * 2
        regs.append(
            VolunteerRegistration(
                member=m,
                community=community,
                skills=rng.sample(SKILLS, 2),
                choice_1=picks[0],
                choice_2=picks[1],
                choice_3=picks[2],
            )
        )
    VolunteerRegistration.objects.bulk_create(regs, batch_size=1000)
    t0 = time.perf_counter()
    lines = services.proposal_make(actor=secretary, community=community)
    proposal_s = time.perf_counter() - t0
    share = sum(line["reason"] == "first" for line in lines) / len(lines)
    applicants = [
        proposal.Applicant(r.pk, tuple(r.choices), frozenset(r.skills))
        for r in VolunteerRegistration.objects.filter(community=community).order_by("pk")
    ]
    places = [proposal.Place(p.pk, p.capacity, frozenset(p.skills)) for p in posts]
    t0 = time.perf_counter()
    greedy = proposal.greedy(applicants, places)
    greedy_s = time.perf_counter() - t0
    connection.close()
    return {
        "registrations": len(lines),
        "posts": args.posts,
        "proposal_s": round(proposal_s, 2),
        "first_choice_share": round(share, 4),
        "assigned": sum(1 for line in lines if line["post"]),
        "greedy_s": round(greedy_s, 3),
        "greedy_first_choice_share": round(proposal.first_choice_share(greedy), 4),
        "greedy_assigned": sum(1 for line in greedy if line.post),
    }


def main() -> None:
    args = parse_args()
    tokens, occurrence_ids, community, branch, secretary = build(args)
    port = free_port()
    server = serve(port, args.workers, args.threads)
    try:
        get_ms, signup_ms, statuses, outcomes = run(port, tokens, occurrence_ids)
    finally:
        server.terminate()
        server.wait(timeout=30)
    counts = check(occurrence_ids, args.capacity)
    plan = proposal_bench(args, community, branch, secretary)

    signed_ok = all(n == args.capacity for n in counts["signed_up"])
    result = {
        "bench": "signup",
        "clients": args.clients,
        "capacity": args.capacity,
        "rounds": args.rounds,
        "signed_up": args.capacity if signed_ok else counts["signed_up"],
        "waitlisted": counts["waitlisted"][0]
        if len(set(counts["waitlisted"])) == 1
        else counts["waitlisted"],
        "waitlist_in_order": counts["waitlist_in_order"],
        "errors_5xx": sum(1 for s in statuses if s >= 500),
        "other_errors": sum(1 for o in outcomes if o not in ("signed_up", "waitlisted")),
        "signup_p50_ms": round(statistics.median(signup_ms), 1),
        "signup_p99_ms": round(pct(signup_ms, 0.99), 1),
        "get_p50_ms": round(statistics.median(get_ms), 1),
        "get_p99_ms": round(pct(get_ms, 0.99), 1),
        "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
        **plan,
    }
    result["ratio_p99"] = round(result["signup_p99_ms"] / result["get_p99_ms"], 2)

    print(
        f"signup benchmark: {args.clients} clients x {args.rounds} occurrences of "
        f"{args.capacity} places, {result['gunicorn']}"
    )
    print(f"{'':<28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'GET /api/wish-categories/':<28}{result['get_p50_ms']:>10}{result['get_p99_ms']:>10}")
    print(f"{'POST signup':<28}{result['signup_p50_ms']:>10}{result['signup_p99_ms']:>10}")
    print(f"signed up per occurrence: {counts['signed_up']}   waitlisted: {counts['waitlisted']}")
    print(f"waitlist in arrival order: {counts['waitlist_in_order']}   5xx: {result['errors_5xx']}")
    print(f"ratio signup p99 / GET p99: {result['ratio_p99']}   (server log: {LOG})")
    print(
        f"proposal: {plan['registrations']} registrations, {plan['posts']} posts: "
        f"{plan['proposal_s']} s, first choices {plan['first_choice_share']:.1%} "
        f"(greedy {plan['greedy_first_choice_share']:.1%}), assigned {plan['assigned']} "
        f"(greedy {plan['greedy_assigned']})"
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
