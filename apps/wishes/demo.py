"""Demo wishes for `seed_demo`: a few dozen wishes per scale step in every state, with their
history and claims, in the communities the demo logins use first (so `resident`, `member`,
`grid_worker` see some at once). Bulk inserts, driven by the given rng."""

import datetime
import json
import random
from pathlib import Path

from django.utils import timezone

from apps.accounts.models import Role, RoleAssignment
from apps.register.models import Area, Member, Resident

from .models import Claim, ClaimEvent, Wish, WishCategory, WishEvent

S = Wish.Status
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "wish_categories.json"
# The states a demo wish ends in, and how many of each per scale step.
MIX = [
    (S.SUBMITTED, 8),
    (S.PUBLISHED, 12),
    (S.CLAIMED, 8),
    (S.FULFILLED, 5),
    (S.CLOSED, 10),
    (S.REJECTED, 3),
    (S.WITHDRAWN, 2),
]
# The path each final state went through.
PATHS = {
    S.SUBMITTED: [S.SUBMITTED],
    S.PUBLISHED: [S.SUBMITTED, S.PUBLISHED],
    S.CLAIMED: [S.SUBMITTED, S.PUBLISHED, S.CLAIMED],
    S.FULFILLED: [S.SUBMITTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED],
    S.CLOSED: [S.SUBMITTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CLOSED],
    S.REJECTED: [S.SUBMITTED, S.REJECTED],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
}


def _move(from_status: str, to_status: str) -> str:
    """The move of the wish's workflow that leads from one status of a path to the next."""
    moves = Wish.workflow.moves_from(from_status)
    return next(m for m in moves if Wish.workflow[m].target == to_status)


def _claim_history(claims: list[Claim]) -> list[ClaimEvent]:
    rows = []
    for claim in claims:
        rows.append(
            ClaimEvent(
                claim=claim, move="claim", to_status=claim.status, actor_id=claim.claimant_id
            )
        )
        if claim.status == Claim.Status.FULFILLED:
            rows[-1].to_status = Claim.Status.ACTIVE
            rows.append(
                ClaimEvent(
                    claim=claim,
                    move="fulfil",
                    from_status=Claim.Status.ACTIVE,
                    to_status=claim.status,
                    actor_id=claim.claimant_id,
                )
            )
    return rows


TITLES = {
    "结对帮困": ["想请人帮忙交水电费", "希望有人定期来家里看看"],
    "便民服务": ["家里水龙头漏水想请人修", "想请人帮忙换个灯泡"],
    "助学": ["孩子想要一套课外读物", "想给孙子找个数学辅导"],
    "助老": ["想要一台助听器", "希望有人陪我去医院复查"],
    "助残": ["想要一副新拐杖", "轮椅刹车坏了想请人修"],
    "医疗健康": ["想请医生上门量血压", "想了解慢性病用药知识"],
    "文体": ["想学用智能手机视频通话", "希望社区组织一次广场舞"],
    "其他": ["想要一个新的电饭煲", "家门口的路灯坏了"],
}
RATING_COMMENTS = ["非常感谢党员同志！", "很及时，服务周到。", "谢谢，解决了大问题。", ""]


def _categories() -> list[WishCategory]:
    # The data migration loads them; a flushed database gets them back from the fixture.
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        WishCategory.objects.get_or_create(name=row["fields"]["name"], defaults=row["fields"])
    return list(WishCategory.objects.filter(active=True))


def _ancestor(path: str, depth: int) -> str:
    return path[: depth * Area.steplen]


def seed_wishes(*, scale: int, rng: random.Random, stdout) -> None:
    residents = list(
        Resident.objects.select_related("household__area").order_by("pk")[: 2000 * scale]
    )
    if not residents:
        stdout.write("seed_wishes: no residents, nothing to do.")
        return
    categories = _categories()
    workers = {
        ra.area.path: ra.user_id
        for ra in RoleAssignment.objects.filter(role=Role.GRID_WORKER).select_related("area")
    }
    communities = dict(Area.objects.filter(kind=Area.Kind.COMMUNITY).values_list("path", "pk"))
    members: dict[int, list[Member]] = {}
    for member in Member.objects.filter(user__isnull=False).order_by("pk")[: 500 * scale]:
        members.setdefault(member.community_id, []).append(member)

    # The demo login `resident` gets one wish in each state worth showing (one to confirm);
    # the rest go to a sample of residents.
    demo = [r for r in residents if r.user_id][:1]
    showcase = [S.SUBMITTED, S.PUBLISHED, S.FULFILLED, S.CLOSED] if demo else []
    statuses = list(showcase)
    for status, count in MIX:
        statuses += [status] * (count * scale - showcase.count(status))
    pool = rng.sample(residents, min(len(residents), 60 * scale))
    now = timezone.now()
    plans = []
    for i, status in enumerate(statuses):
        resident = demo[0] if i < len(showcase) else pool[i % len(pool)]
        path = resident.household.area.path
        candidates = members.get(communities.get(_ancestor(path, 3)), [])
        if status in (S.CLAIMED, S.FULFILLED, S.CLOSED) and not candidates:
            status = S.PUBLISHED  # nobody in that community could have claimed it
        plans.append((status, resident, workers.get(_ancestor(path, 4)), candidates))

    wishes, stamps = [], []
    for status, resident, worker_id, candidates in plans:
        category = rng.choice(categories)
        start = now - datetime.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        steps = [start + datetime.timedelta(hours=6 * i) for i in range(len(PATHS[status]))]
        claimant = None
        if len(steps) >= 3:
            claimant = candidates[0] if resident.user_id else rng.choice(candidates)
        wishes.append(
            Wish(
                resident=resident,
                area_id=resident.household.area_id,
                entered_by_id=worker_id if resident.user_id is None else None,
                title=rng.choice(TITLES.get(category.name, ["想请人帮个忙"])),
                category=category,
                estimated_cost=rng.choice([None, 50, 120, 300]),
                status=status,
                reject_reason="该需求已由民政渠道解决" if status == S.REJECTED else "",
                vetted_by_id=worker_id if len(steps) >= 2 else None,
                published_at=steps[1] if PATHS[status][1:2] == [S.PUBLISHED] else None,
                claimed_by_id=claimant.user_id if claimant else None,
                claimed_at=steps[2] if claimant else None,
                fulfilled_at=steps[3] if len(steps) >= 4 else None,
                closed_at=steps[4] if status == S.CLOSED else None,
                rating=rng.choice([4, 5, 5, 5]) if status == S.CLOSED else None,
                rating_comment=rng.choice(RATING_COMMENTS) if status == S.CLOSED else "",
            )
        )
        stamps.append((steps, claimant))

    Wish.objects.bulk_create(wishes, batch_size=1000)
    for wish, (steps, _) in zip(wishes, stamps, strict=True):
        wish.created_at = steps[0]
    Wish.objects.bulk_update(wishes, ["created_at"], batch_size=1000)

    events, event_times, claims, claim_times = [], [], [], []
    for wish, (steps, claimant) in zip(wishes, stamps, strict=True):
        path = PATHS[wish.status]
        for i, to in enumerate(path):
            actor = wish.resident.user_id if i == 0 else (wish.vetted_by_id if i < 2 else None)
            if to in (S.CLAIMED, S.FULFILLED) and claimant:
                actor = claimant.user_id
            if to == S.CLOSED:
                actor = wish.resident.user_id or wish.vetted_by_id
            events.append(
                WishEvent(
                    wish=wish,
                    move=_move(path[i - 1], to) if i else "submit",
                    actor_id=actor,
                    from_status=path[i - 1] if i else "",
                    to_status=to,
                    note=wish.reject_reason if to == S.REJECTED else "",
                )
            )
            event_times.append(steps[i])
        if claimant:
            done = wish.status in (S.FULFILLED, S.CLOSED)
            claims.append(
                Claim(
                    wish=wish,
                    member=claimant,
                    claimant_id=claimant.user_id,
                    status=Claim.Status.FULFILLED if done else Claim.Status.ACTIVE,
                    fulfil_note="已上门完成，居民很满意。" if done else "",
                    fulfilled_at=wish.fulfilled_at,
                )
            )
            claim_times.append(steps[2])
    # auto_now_add stamps "now" on insert: put the story's times back afterwards.
    WishEvent.objects.bulk_create(events, batch_size=2000)
    for event, at in zip(events, event_times, strict=True):
        event.at = at
    WishEvent.objects.bulk_update(events, ["at"], batch_size=2000)
    Claim.objects.bulk_create(claims, batch_size=1000)
    for claim, at in zip(claims, claim_times, strict=True):
        claim.created_at = at
    Claim.objects.bulk_update(claims, ["created_at"], batch_size=1000)
    ClaimEvent.objects.bulk_create(_claim_history(claims), batch_size=2000)
    stdout.write(
        f"seed_wishes: {len(wishes)} wishes, {len(events)} history rows, {len(claims)} claims"
    )


SEEDERS = [seed_wishes]
