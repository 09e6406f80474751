import datetime as dt

import pytest

from apps.volunteers import services

from .conftest import shift

pytestmark = pytest.mark.django_db


def test_member_page_shows_the_register_form_then_the_post(world, client, make_post):
    post = make_post("护河志愿者")
    client.force_login(world.user("member"))
    page = client.get("/volunteers/")
    assert page.status_code == 200 and "register-form" in page.content.decode()
    r = client.post("/volunteers/register/", {"choice_1": post.pk, "skills": "法律"})
    assert r.status_code == 302
    client.force_login(world.user("secretary"))
    page = client.get("/volunteers/manage/")
    assert "李建国" in page.content.decode()
    reg = post.assignments.model.objects.none()
    from apps.volunteers.models import VolunteerRegistration

    reg = VolunteerRegistration.objects.get()
    client.post(f"/volunteers/registrations/{reg.pk}/approve/", {"post": post.pk})
    client.force_login(world.user("member"))
    assert "护河志愿者" in client.get("/volunteers/").content.decode()


def test_organiser_page_has_a_qr_code_and_members_cannot_see_it(world, client, make_activity):
    occ = make_activity().occurrences.get()
    client.force_login(world.user("secretary"))
    page = client.get(f"/volunteers/occurrences/{occ.pk}/").content.decode()
    assert "checkin-link" in page
    qr = client.get(f"/volunteers/occurrences/{occ.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    client.force_login(world.user("member"))
    assert client.get(f"/volunteers/occurrences/{occ.pk}/qr.svg").status_code == 404
    assert "checkin-link" not in client.get(f"/volunteers/occurrences/{occ.pk}/").content.decode()
    client.force_login(world.user("outsider"))
    assert client.get(f"/volunteers/occurrences/{occ.pk}/").status_code == 404


def test_checkin_page_and_manage_page_confirmation(world, client, make_activity):
    occ = make_activity().occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    token = services.checkin_token(occurrence=occ)
    client.force_login(world.user("member"))
    assert client.get(f"/volunteers/checkin/{token}/").status_code == 200
    client.post(f"/volunteers/checkin/{token}/")
    record = occ.records.get()
    client.force_login(world.user("secretary"))
    assert f"record-{record.pk}" in client.get("/volunteers/manage/").content.decode()
    client.post(f"/volunteers/records/{record.pk}/confirm/")
    record.refresh_from_db()
    assert record.status == "confirmed"


def test_manage_page_is_for_organisers(world, client):
    client.force_login(world.user("member"))
    assert client.get("/volunteers/manage/").status_code == 403
