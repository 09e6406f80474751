"""The read replica, for real: a second PostgreSQL cluster streaming from the first
(scripts/replica.sh; .ci/run starts it and sets DATABASE_REPLICA_URL). A report is served
by the replica (a server in recovery), a write inside the same block goes to the primary.

Skipped when no replica is configured; `TONGXIN_REPLICA=required` (CI) makes that a failure.
"""

import os
import time

import pytest
from django.conf import settings
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from apps.core.db import PRIMARY, REPLICA, reading_replica
from apps.register.models import Household
from tests import factories as f

CONFIGURED = REPLICA in settings.DATABASES
if not CONFIGURED and os.environ.get("TONGXIN_REPLICA") == "required":
    raise RuntimeError("TONGXIN_REPLICA=required but DATABASE_REPLICA_URL is not set")

pytestmark = [
    pytest.mark.skipif(not CONFIGURED, reason="no DATABASE_REPLICA_URL"),
    pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA]),
]


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _caught_up(timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@pytest.fixture
def replica_on(settings):
    settings.TONGXIN_READ_REPLICA = True


def test_the_replica_is_a_streaming_standby_of_the_test_database(replica_on):
    assert not _in_recovery(PRIMARY)
    assert _in_recovery(REPLICA)
    assert connections[REPLICA].settings_dict["NAME"] == connections[PRIMARY].settings_dict["NAME"]


def test_a_report_is_served_from_the_replica(world, api, replica_on):
    f.HouseholdFactory(area=world.building_a, room="901")
    f.HouseholdFactory(area=world.building_b, room="902")
    _caught_up()
    client = api.as_user(world.user("administrator"))
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get("/api/reports/grid/", {"node": world.street.pk})
    assert response.status_code == 200, response.json()
    # The figures are the primary's (streamed), read on the server in recovery.
    assert response.json()["totals"]["households"] == Household.objects.count()
    # (the report's figures come from the rollups: current state, months, first visits)
    tables = ("grids_areastate", "grids_communitymonth", "grids_reachmonth")
    report_reads = [q for q in on_replica.captured_queries if any(t in q["sql"] for t in tables)]
    assert report_reads, "the report did not read the replica"
    assert not [q for q in on_primary.captured_queries if any(t in q["sql"] for t in tables)]
    assert _in_recovery(REPLICA)


def test_the_public_board_reads_the_replica(world, client, replica_on):
    _caught_up()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/api/board/", {"area": world.street.pk})
    assert response.status_code == 200
    assert any("projects_project" in q["sql"] for q in on_replica.captured_queries)


def test_a_write_inside_a_replica_block_goes_to_the_primary(world, replica_on):
    with reading_replica():
        assert router.db_for_read(Household) == REPLICA
        assert router.db_for_write(Household) == PRIMARY
        with CaptureQueriesContext(connections[PRIMARY]) as on_primary:
            household = Household.objects.create(area=world.building_a, room="903")
    assert any(q["sql"].startswith("INSERT") for q in on_primary.captured_queries)
    assert Household.objects.using(PRIMARY).filter(pk=household.pk).exists()
    _caught_up()
    assert Household.objects.using(REPLICA).filter(pk=household.pk).exists()  # streamed


def test_outside_a_replica_block_reads_stay_on_the_primary(world, replica_on):
    assert router.db_for_read(Household) == PRIMARY
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert Household.objects.filter(area=world.building_a).exists()
    assert on_replica.captured_queries == []
