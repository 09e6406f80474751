"""A sign-up's request path stays short: a fixed, small number of queries from the token
to the response, and one statement under the occurrence's lock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import DeviceToken
from apps.volunteers import services as vol
from apps.volunteers.models import SignUp

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {DeviceToken.objects.create(user)[1]}")
    return client


def test_a_signup_request_is_a_handful_of_queries(services, world, make_activity):
    occ = make_activity(capacity=1).occurrences.get()
    client = _token_client(world.user("member"))
    with CaptureQueriesContext(connection) as queries:
        r = client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    assert r.status_code == 201 and r.json()["status"] == "signed_up", r.json()
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(control)]
    # The COMMIT follows the statement that takes the place at once.
    tail = [q["sql"] for q in queries.captured_queries][-2:]
    assert "UPDATE volunteers_occurrence" in tail[0] and tail[1] == "COMMIT", tail
    # The token, the user's grants, the occurrence (scoped), the member (locked), the
    # member's clashing sign-ups, and the one statement that takes the place.
    assert len(sql) == 6, "\n".join(q[:120] for q in sql)
    seat = [q for q in sql if "UPDATE volunteers_occurrence" in q]
    assert len(seat) == 1 and "INSERT INTO volunteers_signup" in seat[0]
    assert SignUp.objects.get().status == "signed_up"

    # Full: the next member is waitlisted by the same statement, number 2 in line.
    client = _token_client(world.user("group_leader"))
    r = client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    assert r.status_code == 201, r.json()
    second = SignUp.objects.get(pk=r.json()["id"])
    assert second.status == "waitlisted" and second.arrival > SignUp.objects.first().arrival
    assert vol.waitlist_position(second) == 1
