"""What the rollup tests share (test_rollups.py: the report's day, month and year rows;
test_area_state.py: the buildings' current state): the rollups as kept against the ones
rebuilt from the raw tables, and writers started all at once in threads."""

import threading

from django.db import connection


def kept_and_rebuilt(snapshot, *rebuilds) -> tuple:
    """`snapshot()` of the rollups as the writes kept them, and again after `rebuilds` have
    rebuilt them from the raw tables."""
    kept = snapshot()
    for rebuild in rebuilds:
        rebuild()
    return kept, snapshot()


def run_together(n: int, work) -> list[str]:
    """`work(i)` for each i < n in a thread of its own, all released at once by a barrier;
    each thread closes its database connection. Returns the repr of every exception raised
    (the caller asserts there is none)."""
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 - returned to the caller
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
