import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from apps.volunteers import services

from .conftest import shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(world, make_activity, make_post):
    post = make_post("护河志愿者")
    occ = make_activity(hours=2).occurrences.get()
    occ.activity.post = post
    occ.activity.save()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    services.signup_create(actor=world.user("group_leader"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    for role in ("member", "group_leader"):
        record = services.checkin(
            actor=world.user(role), occurrence=occ, token=services.checkin_token(occurrence=occ)
        )
        services.record_confirm(actor=world.user("secretary"), record=record)
    return occ


def test_report_counts_hours_and_person_times(world, api, confirmed):
    day = confirmed.records.first().served_on
    r = api.as_user(world.user("secretary")).get(
        "/api/volunteer-reports/hours/", {"date_from": day, "date_to": day}
    )
    assert r.status_code == 200
    data = r.json()
    assert data["total_hours"] == "4.00" and data["total_person_times"] == 2
    assert data["by_community"] == [
        {"name": "海城社区", "hours": "4.00", "person_times": 2, "volunteers": 2}
    ]
    assert data["by_post"][0]["name"] == "护河志愿者" and data["by_team"] == []


def test_report_is_scoped_and_checks_its_range(world, api, confirmed):
    r = api.as_user(world.user("outsider")).get("/api/volunteer-reports/hours/")
    assert r.status_code == 200 and r.json()["total_person_times"] == 0
    r = api.get(
        "/api/volunteer-reports/hours/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert (r.status_code, r.json()["code"]) == (400, "invalid_range")


def test_report_page_and_xlsx(world, client, confirmed):
    client.force_login(world.user("secretary"))
    day = confirmed.records.first().served_on
    page = client.get("/volunteers/reports/", {"date_from": day, "date_to": day})
    assert page.status_code == 200 and "海城社区" in page.content.decode()
    r = client.get("/volunteers/reports/", {"date_from": day, "date_to": day, "format": "xlsx"})
    book = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in book.worksheets[0][2]] == ["海城社区", 4.0, 2, 2]
    client.force_login(world.user("member"))
    assert client.get("/volunteers/reports/").status_code == 403
