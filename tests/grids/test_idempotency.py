"""Idempotency-Key on API writes (apps.core.idempotency), through POST /api/visits/."""

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import DeviceToken
from apps.core import tasks
from apps.core.idempotency import idempotency_cleanup
from apps.core.models import IdempotencyRecord
from apps.grids.models import GroupHousehold, GroupMembership, Problem, Visit
from apps.register.models import Member


def _visit(household, **extra):
    return {"household": household.pk, "notes": "入户", **extra}


def test_a_repeated_key_returns_the_first_result_and_writes_nothing(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    at = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    body = _visit(
        households[0],
        visited_at=at.isoformat(),
        problems=[{"category": "facility", "title": "楼道灯坏"}],
    )
    first = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Visit.objects.count() == 1 and Problem.objects.count() == 1
    assert Visit.objects.get().visited_at == at  # the time it was made, not synced


def test_the_same_body_with_keys_in_another_order_is_the_same_request(
    world, api, group, households
):
    client = api.as_user(world.user("group_leader"))
    pk = households[0].pk
    a = f'{{"household": {pk}, "notes": "x"}}'
    b = f'{{ "notes":"x", "household":{pk} }}'
    r1 = client.post("/api/visits/", a, content_type="application/json", HTTP_IDEMPOTENCY_KEY="o")
    r2 = client.post("/api/visits/", b, content_type="application/json", HTTP_IDEMPOTENCY_KEY="o")
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert Visit.objects.count() == 1


def test_a_key_reused_with_another_body_is_refused(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    client.post("/api/visits/", _visit(households[0]), format="json", HTTP_IDEMPOTENCY_KEY="k")
    r = client.post("/api/visits/", _visit(households[1]), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    r = client.post(
        "/api/problems/",
        {"household": households[0].pk, "category": "other", "title": "t"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert Visit.objects.count() == 1 and Problem.objects.count() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "a\tb", "中文键", '""'])
def test_a_malformed_key_is_refused_before_anything_is_written(world, api, group, households, key):
    client = api.as_user(world.user("group_leader"))
    r = client.post("/api/visits/", _visit(households[0]), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert r.status_code == 400 and r.json()["code"] == "invalid_idempotency_key"
    assert not Visit.objects.exists() and not IdempotencyRecord.objects.exists()


def test_a_quoted_key_and_a_255_character_key_are_accepted(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    long_key = "k" * 255
    for key in ('"abc"', "abc", long_key, long_key):
        r = client.post(
            "/api/visits/", _visit(households[0]), format="json", HTTP_IDEMPOTENCY_KEY=key
        )
        assert r.status_code == 201
    assert Visit.objects.count() == 2  # "abc" quoted or not is one key


def test_keys_are_per_user(world, api, group, households):
    body = _visit(households[0])
    r1 = api.as_user(world.user("group_leader")).post(
        "/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    r2 = api.as_user(world.user("grid_worker")).post(
        "/api/visits/", {**body, "group": group.pk}, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert Visit.objects.count() == 2


def test_a_refused_write_is_not_remembered_and_can_be_retried(world, api, group, households):
    """The household left the group while the phone was offline: refused; once it is back the
    same key goes through."""
    member = world.user("member")  # a group member without a role over the grid
    GroupMembership.objects.create(group=group, member=Member.objects.get(user=member))
    client = api.as_user(member)
    other = households[5]  # not covered by the group
    body = _visit(other)
    r = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="later")
    assert r.status_code == 400 and "household" in r.json()["errors"]  # "does not exist"
    assert not IdempotencyRecord.objects.exists()
    GroupHousehold.objects.create(group=group, household=other)
    r = client.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="later")
    assert r.status_code == 201 and Visit.objects.count() == 1


def test_without_the_header_every_post_writes(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    for _ in range(2):
        assert client.post("/api/visits/", _visit(households[0]), format="json").status_code == 201
    assert Visit.objects.count() == 2 and not IdempotencyRecord.objects.exists()


def test_visit_time_bounds(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    now = timezone.now()
    skewed = (now + dt.timedelta(seconds=60)).isoformat()
    old = (now - dt.timedelta(days=31)).isoformat()
    r = client.post("/api/visits/", _visit(households[0], visited_at=skewed), format="json")
    assert r.status_code == 201  # a phone's clock a minute ahead
    r = client.post("/api/visits/", _visit(households[0], visited_at=old), format="json")
    assert r.status_code == 400 and r.json()["code"] == "visit_too_old"
    assert Visit.objects.count() == 1


def test_cleanup_removes_only_expired_records(world, api, group, households):
    client = api.as_user(world.user("group_leader"))
    for key in ("old", "new"):
        client.post("/api/visits/", _visit(households[0]), format="json", HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyRecord.objects.filter(key="old").update(
        created=timezone.now() - dt.timedelta(days=8)
    )
    assert tasks.idempotency_cleanup.delay().get() == 1  # the beat's task
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_cleanup() == 0
    assert (
        settings.CELERY_BEAT_SCHEDULE["core-idempotency-cleanup"]["task"]
        == tasks.idempotency_cleanup.name
    )


# --- races on PostgreSQL with real threads ------------------------------------------------


def _client(user) -> APIClient:
    _instance, token = DeviceToken.objects.create(user, name="race")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.services
def test_concurrent_requests_with_one_key_create_one_visit(services, world, group, households):
    leader = world.user("group_leader")
    clients = [_client(leader) for _ in range(8)]
    body = _visit(households[0], problems=[{"category": "other", "title": "t"}])
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i):
        try:
            barrier.wait()
            r = clients[i].post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="race")
            results[i] = (r.status_code, r.json().get("id"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Visit.objects.count() == 1 and Problem.objects.count() == 1
    visit_id = Visit.objects.get().pk
    assert results == [(201, visit_id)] * len(clients), results


@pytest.mark.services
def test_a_request_waiting_too_long_for_its_twin_gets_409(services, world, group, households):
    """Another transaction holds the key (uncommitted): the request waits at most
    IDEMPOTENCY_WAIT_S and then answers 409 idempotency_in_progress, writing nothing."""
    leader = world.user("group_leader")
    client = _client(leader)
    holding = threading.Event()
    release = threading.Event()

    def hold():
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=leader,
                    key="busy",
                    method="POST",
                    path="/api/visits/",
                    fingerprint="x",
                    status=0,
                )
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with override_settings(TONGXIN={**settings.TONGXIN, "IDEMPOTENCY_WAIT_S": 0.5}):
            r = client.post(
                "/api/visits/", _visit(households[0]), format="json", HTTP_IDEMPOTENCY_KEY="busy"
            )
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"
    assert 0.4 < waited < 5
    assert not Visit.objects.exists()
