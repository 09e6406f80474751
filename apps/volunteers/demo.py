"""Demo volunteering for `seed_demo`: in the demo secretary's community, a dozen standard
posts, registrations of its employed members (half approved through the proposal), a
medical team and the weekly "温暖星期五" series. Made through the services, so every
capacity and history row is as real use leaves it."""

import datetime
import json
from pathlib import Path

from django.utils import timezone

from apps.accounts.models import Role, RoleAssignment
from apps.register.models import Member

from . import services
from .models import StandardPost

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "standard_posts.json"
SKILLS = ["法律", "医疗", "教育", "文艺", "环保", "交通", "安保", "照护", "维修", "宣讲"]


def _load_standard_posts() -> None:
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = row["fields"]
        StandardPost.objects.update_or_create(name=fields.pop("name"), defaults=fields)


def seed_volunteers(*, scale: int, rng, stdout) -> None:
    seat = (
        RoleAssignment.objects.filter(user__username="secretary", role=Role.SECRETARY)
        .exclude(area=None)
        .select_related("user", "area")
        .first()
    )
    if seat is None:
        stdout.write("seed_volunteers: no demo secretary, skipped")
        return
    secretary, community = seat.user, seat.area
    if not StandardPost.objects.exists():  # a flushed database (tests): the migration's data
        _load_standard_posts()
    standards = list(StandardPost.objects.order_by("order"))[::4][:12]
    posts = [
        services.post_enable(
            actor=secretary,
            community=community,
            standard=s,
            capacity=rng.randint(3, 8),
            schedule="每周五 14:00–16:00",
            place=f"{community.name}党群服务中心",
        )
        for s in standards
    ]
    members = list(
        Member.objects.filter(
            community=community, kind=Member.Kind.EMPLOYED, user__isnull=False
        ).select_related("user")[: 20 * scale]
    )
    for member in members:
        if not RoleAssignment.objects.filter(user=member.user, role=Role.MEMBER).exists():
            continue
        choices = rng.sample(posts, 3)
        services.registration_submit(
            actor=member.user,
            community=community,
            choices=choices,
            skills=rng.sample(SKILLS, 2),
            available_times=rng.choice(["周五下午", "周末", "工作日晚上"]),
        )
    lines = services.proposal_make(actor=secretary, community=community)
    accepted = [(line["registration"], line["post"]) for line in lines[: len(lines) // 2]]
    services.proposal_accept(actor=secretary, community=community, lines=accepted)
    services.team_create(
        actor=secretary,
        community=community,
        name=f"{community.name}医疗志愿服务队",
        specialty="医疗",
        leader=members[0] if members else None,
        members=members[1:6],
    )
    friday = timezone.localdate() + datetime.timedelta(
        days=(4 - timezone.localdate().weekday()) % 7 or 7
    )
    starts = timezone.make_aware(datetime.datetime.combine(friday, datetime.time(14, 0)))
    services.activity_create(
        actor=secretary,
        community=community,
        title="温暖星期五",
        place=f"{community.name}党群服务中心",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        capacity=10,
        weeks=8,
        post=posts[0],
    )
    stdout.write(
        f"seed_volunteers: {len(posts)} posts, {len(members)} registrations, "
        f"{len(accepted)} approved, 8 occurrences"
    )


SEEDERS = [seed_volunteers]
