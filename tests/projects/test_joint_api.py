"""/api/joint-requests/, /api/joint-board/ and /api/joint-working-group/: each step through
the API, and bad input answered with a code and nothing written."""

import datetime as dt

import pytest

from apps.core.masking import mask_name
from apps.projects import services
from apps.projects.models import JointRequest, Project, Rating, Signature
from tests.projects.joint_helpers import make_request, open_request, resident, residents

pytestmark = pytest.mark.django_db
URL = "/api/joint-requests/"


def test_a_resident_opens_and_neighbours_sign_through_the_api(world, api):
    opener = resident(world)
    response = api.as_user(opener.user).post(
        URL,
        {"topic": "加装电梯", "level": "street", "description": "六楼老人下楼难"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "collecting" and body["signature_count"] == 1 and body["signed"]
    neighbour = resident(world)
    response = api.as_user(neighbour.user).post(f"{URL}{body['id']}/sign/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["signature_count"] == 2
    again = api.post(f"{URL}{body['id']}/sign/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_signed"
    assert Signature.objects.filter(request_id=body["id"]).count() == 2


def test_signing_a_request_of_another_community_is_refused_with_a_code(world, api):
    request = open_request(world)
    stranger = resident(world, building=world.building_b)
    response = api.as_user(stranger.user).post(f"{URL}{request.pk}/sign/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_same_community"
    assert request.signatures.count() == 1
    # ... and it is not in their list or readable as a detail.
    assert api.get(f"{URL}{request.pk}/").status_code == 404


def test_the_whole_workflow_through_the_api(world, api):
    request, signers = make_request(world, "under_review")
    secretary = api.as_user(world.user("secretary"))
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = secretary.post(
        f"{URL}{request.pk}/accept/",
        {"assignee": world.user("grid_worker").pk, "reply_due": due},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.json()
    assert r.json()["reply_due"] == due
    r = api.as_user(world.user("secretary")).post(
        f"{URL}{request.pk}/reply/", {"text": "我来答复"}, format="json"
    )
    assert r.status_code == 403 and r.json()["code"] == "not_assignee"
    r = api.as_user(world.user("grid_worker")).post(
        f"{URL}{request.pk}/reply/",
        {"text": "周六上午面谈", "meeting_at": "2030-01-05T09:00", "meeting_place": "社区会议室"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "replied", r.json()
    r = api.as_user(signers[0].user).post(f"{URL}{request.pk}/rate/", {"stars": "4"}, format="json")
    assert r.status_code == 201 and r.json()["rating_mean"] == 4
    outsider = resident(world)
    r = api.as_user(outsider.user).post(f"{URL}{request.pk}/rate/", {"stars": "5"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "not_a_signer"
    assert Rating.objects.count() == 1
    r = api.as_user(world.user("secretary")).post(
        f"{URL}{request.pk}/adopt/",
        {"goal": "年内解决", "category": "livelihood", "due_on": due},
        format="json",
    )
    assert r.status_code == 201, r.json()
    project = Project.objects.get(pk=r.json()["project"])
    assert project.joint_request.pk == request.pk
    detail = api.get(f"{URL}{request.pk}/").json()
    assert detail["project"] == project.pk


def test_decline_reopen_close_and_adopting_a_declined_request(world, api):
    declined, _ = make_request(world, "under_review")
    secretary = api.as_user(world.user("secretary"))
    r = secretary.post(f"{URL}{declined.pk}/decline/", {"reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = secretary.post(f"{URL}{declined.pk}/decline/", {"reason": "由物业负责"}, format="json")
    assert r.json()["decline_reason"] == "由物业负责"
    r = secretary.post(
        f"{URL}{declined.pk}/adopt/",
        {"goal": "g", "category": "livelihood", "due_on": "2030-01-01"},
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "not_adoptable"
    assert not Project.objects.exists()
    replied, _ = make_request(world, "replied")
    r = secretary.post(f"{URL}{replied.pk}/reopen/", {"note": "再核实"}, format="json")
    assert r.json()["status"] == "accepted" and r.json()["round"] == 2
    r = secretary.post(f"{URL}{replied.pk}/close/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


def test_a_grid_worker_enters_paper_signatures(world, api):
    request = open_request(world)
    paper = resident(world, login=False)
    r = api.as_user(world.user("grid_worker")).post(
        f"{URL}{request.pk}/sign/", {"resident": paper.pk}, format="json"
    )
    assert r.status_code == 201
    names = {s["name"]: s for s in r.json()["signatures"]}
    assert names[paper.name]["entered"] and names[paper.name]["entered_by"] == "陈网格"
    # An id out of the worker's scope is an unknown resident, nothing written.
    far = resident(world, building=world.building_b, login=False)
    r = api.post(f"{URL}{request.pk}/sign/", {"resident": far.pk}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "unknown_resident"
    assert request.signatures.count() == 2


def test_names_are_masked_for_residents_and_members(world, api):
    request = open_request(world, opener=resident(world, name="张三丰"))
    neighbour = resident(world)
    body = api.as_user(neighbour.user).get(f"{URL}{request.pk}/").json()
    assert body["opener_name"] == "张*丰"
    assert body["signatures"][0]["name"] == "张*丰"
    body = api.as_user(world.user("grid_worker")).get(f"{URL}{request.pk}/").json()
    assert body["opener_name"] == "张三丰"
    # The opener sees their own name, and the neighbour's masked.
    services.joint_sign(actor=neighbour.user, request=request)
    body = api.as_user(request.opener.user).get(f"{URL}{request.pk}/").json()
    names = [s["name"] for s in body["signatures"]]
    assert names == ["张三丰", mask_name(neighbour.name)]


def test_the_board_is_public_with_counts_masked_names_and_stats(world, client):
    request = open_request(world, opener=resident(world, name="李四"))
    r = client.get("/api/joint-board/", {"community": world.community_a.pk})
    assert r.status_code == 200
    body = r.json()
    assert body["requests"][0]["id"] == request.pk
    assert body["requests"][0]["opener"] == "李*"
    assert body["stats"]["requests"] == 1
    bad = client.get("/api/joint-board/", {"community": world.community_a.pk, "start": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date"
    assert client.get("/api/joint-board/", {"community": world.grid_a.pk}).status_code == 404


def test_the_secretary_names_working_group_members_who_may_then_accept(world, api):
    request, _ = make_request(world, "under_review")
    member = world.user("member")
    r = api.as_user(member).post(f"{URL}{request.pk}/decline/", {"reason": "x"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "not_working_group"
    r = api.as_user(world.user("group_leader")).post(
        "/api/joint-working-group/",
        {"community": world.community_a.pk, "user": member.pk},
        format="json",
    )
    assert r.status_code == 403 and r.json()["code"] == "not_a_secretary"
    r = api.as_user(world.user("secretary")).post(
        "/api/joint-working-group/",
        {"community": world.community_a.pk, "user": member.pk},
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = api.as_user(member).post(f"{URL}{request.pk}/decline/", {"reason": "x"}, format="json")
    assert r.status_code == 200
    assert JointRequest.objects.get(pk=request.pk).status == "declined"


def test_thirty_signatures_through_the_api_reach_review_once(world, api):
    request = open_request(world, threshold=10)
    for r in residents(world, 12):
        assert api.as_user(r.user).post(f"{URL}{request.pk}/sign/").status_code == 201
    request.refresh_from_db()
    assert request.signature_count == 13 and request.status == "under_review"
    assert request.events.filter(move="reach").count() == 1


def test_request_photos_are_re_encoded_and_a_non_image_writes_nothing(
    world, api, settings, tmp_path
):
    from apps.projects.models import JointRequestPhoto
    from tests.wishes.test_photo_safety import PAYLOAD, _png_with_html, _stored_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    client = api.as_user(resident(world).user)
    data = {"topic": "路面塌陷", "level": "street", "photos": [_png_with_html()]}
    r = client.post(URL, data, format="multipart")
    assert r.status_code == 201, r.json()
    image = JointRequestPhoto.objects.get().image
    assert image.name.endswith(".png") and "poc" not in image.name
    assert PAYLOAD not in _stored_bytes(image)
    fake = _png_with_html()
    fake = type(fake)(PAYLOAD)
    fake.name = "x.png"
    r = client.post(URL, {"topic": "t", "level": "street", "photos": [fake]}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "photo_not_image"
    assert JointRequest.objects.count() == 1
