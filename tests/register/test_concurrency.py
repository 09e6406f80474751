"""Concurrent writes to a tree on real PostgreSQL (row locks; SQLite has none)."""

import threading

import pytest
from django.db import connection

from apps.register import services as registry
from apps.register.models import Area

pytestmark = pytest.mark.services


def test_concurrent_children_of_one_parent_get_distinct_paths(services, world):
    admin = world.user("administrator")
    barrier = threading.Barrier(6)
    errors = []

    def add(i):
        try:
            barrier.wait(timeout=10)
            registry.area_create(
                actor=admin, parent=world.grid_a, name=f"并发{i}幢", kind=Area.Kind.BUILDING
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert Area.objects.filter(name__startswith="并发").count() == 6
    assert Area.objects.get(pk=world.grid_a.pk).numchild == 7
    assert not any(Area.objects.find_problems())
