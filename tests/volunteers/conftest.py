import datetime as dt

import pytest
from django.utils import timezone

from apps.register.models import Member
from apps.volunteers import services
from apps.volunteers.models import Post, StandardPost


@pytest.fixture
def make_post(world):
    def make(name=None, capacity=10, community=None, skills=()):
        community = community or world.community_a
        standard = StandardPost.objects.first() if name is None else None
        return services.post_enable(
            actor=world.user("secretary")
            if community == world.community_a
            else world.user("outsider"),
            community=community,
            standard=standard,
            name=name or "",
            capacity=capacity,
            skills=list(skills),
        )

    return make


@pytest.fixture
def member(world):
    return Member.objects.get(user=world.user("member"))


@pytest.fixture
def make_activity(world):
    def make(capacity=10, weeks=1, start_in=dt.timedelta(days=2), hours=2, title="温暖星期五"):
        starts = timezone.now().replace(microsecond=0) + start_in
        return services.activity_create(
            actor=world.user("secretary"),
            community=world.community_a,
            title=title,
            place="社区服务站",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            capacity=capacity,
            weeks=weeks,
        )

    return make


def shift(occurrence, *, by):
    """Move an occurrence (and its sign-ups' copies of its times) by `by`."""
    from apps.volunteers.models import Occurrence, SignUp

    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=occurrence.starts_at + by, ends_at=occurrence.ends_at + by
    )
    SignUp.objects.filter(occurrence=occurrence).update(
        starts_at=occurrence.starts_at + by, ends_at=occurrence.ends_at + by
    )
    occurrence.refresh_from_db()
    return occurrence


__all__ = ["Post", "shift"]
