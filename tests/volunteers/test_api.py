import datetime as dt

import pytest
from django.utils import timezone

from apps.points.models import PointsEntry
from apps.volunteers import services
from apps.volunteers.models import Occurrence, Post, ServiceRecord, SignUp, VolunteerRegistration

from .conftest import shift

pytestmark = pytest.mark.django_db


def test_register_approve_signup_checkin_confirm_through_the_api(
    world, api, make_post, make_activity
):
    post = make_post("护河志愿者", capacity=2)
    member = world.user("member")
    r = api.as_user(member).post(
        "/api/volunteer-registrations/",
        {"community": world.community_a.pk, "choices": [post.pk], "skills": ["法律"]},
        format="json",
    )
    assert r.status_code == 201, r.json()
    reg_id = r.json()["id"]
    r = api.as_user(world.user("secretary")).post(
        f"/api/volunteer-registrations/{reg_id}/approve/", {}, format="json"
    )
    assert r.status_code == 200 and r.json()["post"] == post.pk

    occ = make_activity().occurrences.get()
    r = api.as_user(member).post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    assert r.status_code == 201 and r.json()["status"] == "signed_up"
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    token = services.checkin_token(occurrence=occ)
    r = api.post(f"/api/volunteer-occurrences/{occ.pk}/checkin/", {"token": token}, format="json")
    assert r.status_code == 201, r.json()
    record_id = r.json()["id"]

    r = api.post(f"/api/volunteer-records/{record_id}/confirm/")
    assert r.status_code == 403 and r.json()["code"] == "own_hours"
    r = api.as_user(world.user("secretary")).post(f"/api/volunteer-records/{record_id}/confirm/")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert PointsEntry.objects.filter(rule__code="volunteer_hours").count() == 1


def test_bad_inputs_are_clear_errors_and_write_nothing(world, api, make_post, make_activity):
    post_b = make_post("调解员", community=world.community_b)
    client = api.as_user(world.user("member"))
    r = client.post(
        "/api/volunteer-registrations/",
        {"community": world.community_b.pk, "choices": [post_b.pk]},
        format="json",
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_home_community")
    r = client.post("/api/volunteer-registrations/", {"community": "x"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert not VolunteerRegistration.objects.exists()

    occ = make_activity().occurrences.get()
    client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    r = client.post(f"/api/volunteer-occurrences/{occ.pk}/signup/")
    assert (r.status_code, r.json()["code"]) == (409, "already_signed_up")
    r = client.post(f"/api/volunteer-occurrences/{occ.pk}/checkin/", {"token": "forged"})
    assert (r.status_code, r.json()["code"]) == (400, "checkin_link_invalid")
    assert SignUp.objects.count() == 1 and not ServiceRecord.objects.exists()


def test_amend_with_bad_hours_is_refused(world, api, make_activity):
    occ = make_activity(hours=2).occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    record = services.checkin(
        actor=world.user("member"), occurrence=occ, token=services.checkin_token(occurrence=occ)
    )
    client = api.as_user(world.user("secretary"))
    for hours, code in (("-1", "hours_negative"), ("3", "hours_over_occurrence")):
        r = client.post(
            f"/api/volunteer-records/{record.pk}/amend/", {"hours": hours, "reason": "x"}
        )
        assert (r.status_code, r.json()["code"]) == (400, code)
    r = client.post(
        f"/api/volunteer-records/{record.pk}/amend/", {"hours": "1.5", "reason": "路程不计"}
    )
    assert r.status_code == 200 and r.json()["hours"] == "1.50"


def test_proposal_api_is_for_the_secretary_only(world, api, make_post):
    post = make_post("护河志愿者")
    services.registration_submit(
        actor=world.user("member"), community=world.community_a, choices=[post]
    )
    r = api.as_user(world.user("outsider")).get(
        "/api/volunteer-proposals/", {"community": world.community_a.pk}
    )
    assert r.status_code == 403
    client = api.as_user(world.user("secretary"))
    r = client.get("/api/volunteer-proposals/", {"community": world.community_a.pk})
    assert r.status_code == 200
    [line] = r.json()["lines"]
    assert line["explanation"] == "第一志愿" and line["post"] == post.pk
    r = client.post(
        "/api/volunteer-proposals/",
        {"community": world.community_a.pk, "lines": [[line["registration"], line["post"]]]},
        format="json",
    )
    assert r.status_code == 201 and r.json()["approved"] == 1
    assert Post.objects.get(pk=post.pk).filled == 1


def test_weekly_series_and_cancelling_an_occurrence(world, api):
    starts = timezone.now() + dt.timedelta(days=3)
    client = api.as_user(world.user("secretary"))
    r = client.post(
        "/api/volunteer-activities/",
        {
            "community": world.community_a.pk,
            "title": "温暖星期五",
            "place": "服务站",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "capacity": 8,
            "weeks": 4,
        },
        format="json",
    )
    assert r.status_code == 201 and len(r.json()["occurrences"]) == 4
    occ_id = r.json()["occurrences"][1]["id"]
    r = client.post(f"/api/volunteer-occurrences/{occ_id}/cancel/", {"reason": "端午节"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Occurrence.objects.filter(status="scheduled").count() == 3
