"""The daily star snapshot (`StarDay`, apps/points/stars.py): it holds what the live ranking
(`star_sql`) gives when it is taken, a street's or district's report sums its communities'
rows, a day's rows are not read on another day, and neither the beat task run twice nor two
concurrent first reads make a row twice."""

import datetime as dt
import io
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.grids import reports
from apps.points import stars, tasks
from apps.points.models import StarDay
from apps.points.selectors import STAR_WINDOW, star_rows
from apps.points.services import points_award
from apps.register.models import Area, Member
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(world, make_member):
    """Eight members with 0–7 awards in community A, three with 0–2 in community B."""
    a = [make_member() for _ in range(8)]
    b = [make_member(community=world.community_b, residence=world.building_b) for _ in range(3)]
    for members in (a, b):
        for i, member in enumerate(members):
            for _ in range(i):
                points_award(member=member, rule="volunteer_hours")
    return a, b


def _live(area, now=None) -> list[int]:
    """Members per star (1–5) under `area` by the live ranking."""
    since = (now or timezone.now()) - STAR_WINDOW
    counts = Counter(row["star"] for row in star_rows(path=area.path, since=since))
    return [counts[s] for s in range(1, 6)]


def _rows(day=None) -> dict[int, tuple]:
    day = day or timezone.localdate()
    return {
        row[0]: tuple(row[1:])
        for row in StarDay.objects.filter(day=day).values_list("community_id", *StarDay.STARS)
    }


def _report_stars(node) -> list[int]:
    today = timezone.localdate()
    period = reports.parse_period((today - dt.timedelta(days=30)).isoformat(), today.isoformat())
    return [s["members"] for s in reports.grid_report(node=node, period=period)["stars"]]


def test_the_snapshot_of_a_community_is_the_live_ranking(world, ranked):
    counts = stars.community_stars(world.community_a)
    live = _live(world.community_a)
    assert list(counts[world.community_a.pk]) == live
    assert sum(live) == Member.objects.filter(community=world.community_a).count()
    assert live == [3, 1, 2, 2, 2]  # ties at 0 share the lowest rank
    assert _rows() == {world.community_a.pk: tuple(live)}  # stored, the other one untouched
    assert stars.community_stars(world.community_a) == counts  # read back


def test_a_street_report_sums_its_communities_snapshots(world, ranked):
    assert _report_stars(world.street) == _live(world.street)
    rows = _rows()
    assert set(rows) == {world.community_a.pk, world.community_b.pk}
    assert _report_stars(world.street) == [sum(c) for c in zip(*rows.values(), strict=True)]
    # Points awarded later today show tomorrow; the community's and district's reports read
    # the same rows.
    a, _b = ranked
    for _ in range(20):
        points_award(member=a[0], rule="volunteer_hours")
    assert _report_stars(world.street) != _live(world.street)
    assert _report_stars(world.community_a) == list(rows[world.community_a.pk])
    assert _report_stars(world.district) == [sum(c) for c in zip(*rows.values(), strict=True)]
    assert StarDay.objects.count() == 2


def test_a_grid_report_ranks_live(world, ranked):
    before = _report_stars(world.grid_a)
    a, _b = ranked
    for _ in range(20):
        points_award(member=a[0], rule="volunteer_hours")
    after = _report_stars(world.grid_a)
    assert after != before and sum(after) == sum(before)
    assert after == _live(world.community_a)  # all of A's members live in grid A
    assert not StarDay.objects.exists()


def test_yesterdays_snapshot_is_not_used_today(world, ranked):
    yesterday = timezone.now() - dt.timedelta(days=1)
    stars.community_stars(world.street, now=yesterday)
    old = _rows(timezone.localdate(yesterday))
    assert len(old) == 2
    a, _b = ranked
    for _ in range(20):
        points_award(member=a[0], rule="volunteer_hours")  # the last becomes the first
    today = stars.community_stars(world.street)
    assert today[world.community_a.pk] != old[world.community_a.pk]
    assert list(today[world.community_a.pk]) == _live(world.community_a)
    assert _report_stars(world.street) == _live(world.street)
    assert _rows(timezone.localdate(yesterday)) == old  # yesterday's rows are kept as they were
    assert StarDay.objects.count() == 4


def test_the_task_twice_gives_the_same_rows(world, ranked, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["points-take-star-days"]
    assert entry["task"] == tasks.take_star_days.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {5})

    tasks.take_star_days.delay()
    first = list(StarDay.objects.order_by("pk").values())
    tasks.take_star_days.delay()
    assert list(StarDay.objects.order_by("pk").values()) == first
    assert {row["community_id"] for row in first} == {world.community_a.pk, world.community_b.pk}
    assert _rows()[world.community_b.pk] == tuple(_live(world.community_b))


def test_a_community_without_members_has_a_row_of_zeros(world, ranked):
    empty = f.area("新社区", Area.Kind.COMMUNITY, world.street)
    stars.community_stars(world.street)
    assert _rows()[empty.pk] == (0, 0, 0, 0, 0)


def test_rebuild_rollups_recomputes_todays_snapshot(world, ranked):
    stars.community_stars(world.street)
    a, _b = ranked
    for _ in range(20):
        points_award(member=a[0], rule="volunteer_hours")
    assert _rows()[world.community_a.pk] != tuple(_live(world.community_a))
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert _rows()[world.community_a.pk] == tuple(_live(world.community_a))
    assert StarDay.objects.count() == 2


@pytest.mark.services
def test_concurrent_first_reads_store_one_row_each(services, world, ranked):
    """Two first reads of a day, released together (on five days, to meet the race)."""
    for days_ago in range(5):
        now = timezone.now() - dt.timedelta(days=days_ago)
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def read(i, now=now, barrier=barrier, results=results):
            try:
                barrier.wait()
                results[i] = stars.community_stars(world.street, now=now)
            except Exception as exc:  # noqa: BLE001 - surfaced by the assertions below
                results[i] = repr(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results[0] == results[1], results
        assert set(results[0]) == {world.community_a.pk, world.community_b.pk}
        assert _rows(timezone.localdate(now)) == results[0]
        assert list(results[0][world.community_a.pk]) == _live(world.community_a, now)
    assert StarDay.objects.count() == 2 * 5


def test_a_row_stored_first_by_another_read_is_the_one_returned(world, ranked):
    """The losing side of the race, made deterministic: the row is already there when the
    take's insert runs, so it inserts nothing and returns the stored row."""
    now = timezone.now()
    StarDay.objects.create(
        community=world.community_a, day=timezone.localdate(now), star_1=7, computed_at=now
    )
    taken = stars._take([world.community_a.pk], day=timezone.localdate(now), now=now)
    assert taken == {world.community_a.pk: (7, 0, 0, 0, 0)}
    assert StarDay.objects.count() == 1
