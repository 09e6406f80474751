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
import random
import statistics
import time

import harness  # noqa: I001 - sets the Django environment first
from harness import pct

LOG = harness.log_path("signup")
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


def build(args):
    harness.setup("signup.py")
    from django.db import connection
    from django.utils import timezone

    from apps.accounts.models import Role, RoleAssignment, User
    from apps.volunteers import services

    w = harness.world()
    secretary = User.objects.create(username="bench-secretary", name="周书记")
    RoleAssignment.objects.create(user=secretary, role=Role.SECRETARY, area=w.community)
    users, _members = harness.members(w, "bench-m", args.clients)
    tokens = harness.tokens(users)
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    activity = services.activity_create(
        actor=secretary,
        community=w.community,
        title="温暖星期五",
        place="党群服务中心",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=args.capacity,
        weeks=args.rounds,
    )
    occurrence_ids = list(activity.occurrences.order_by("starts_at").values_list("pk", flat=True))
    connection.close()
    return tokens, occurrence_ids, w, secretary


def check(occurrence_ids: list[int], capacity: int) -> dict:
    """Per occurrence: signed up, waitlisted, and whether the waitlist follows arrival order
    (arrival numbers unique; the first `capacity` arrivals signed up, everyone after them
    waitlisted)."""
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
        expected = ["signed_up" if i < capacity else "waitlisted" for i in range(len(rows))]
        unique = len({a for a, _s in rows}) == len(rows)
        in_order = in_order and unique and [s for _a, s in rows] == expected
    return {"signed_up": signed, "waitlisted": waiting, "waitlist_in_order": in_order}


def proposal_bench(args, w, secretary) -> dict:
    """3,000 registrations (skewed choices: a few popular posts) over 150 posts."""
    from django.db import connection

    from apps.volunteers import proposal, services
    from apps.volunteers.models import Post, VolunteerRegistration

    community = w.community
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
    _users, members = harness.members(w, "bench-r", args.registrations)
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
    tokens, occurrence_ids, w, secretary = build(args)
    port = harness.free_port()
    server = harness.serve(port, args.workers, args.threads, log=LOG)
    paths = [f"/api/volunteer-occurrences/{o}/signup/" for o in occurrence_ids]
    try:
        race = harness.race(port, tokens, paths)
    finally:
        server.terminate()
        server.wait(timeout=30)
    get_ms, signup_ms = race.get_ms, race.post_ms
    outcomes = [
        body.get("status") if st == 201 else body.get("code")
        for answers in race.answers
        for st, body in answers
    ]
    counts = check(occurrence_ids, args.capacity)
    plan = proposal_bench(args, w, secretary)

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
        "errors_5xx": race.errors_5xx,
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
