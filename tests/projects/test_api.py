"""The API: moves as POST actions, bad input with a code and nothing written, blind scoring,
results and the sheet after close, the public board."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from apps.projects import services
from apps.projects.models import Milestone, Project, Score
from tests.projects.conftest import TODAY, crit, make_project

pytestmark = pytest.mark.django_db


def test_project_lifecycle_over_the_api(world, api):
    client = api.as_user(world.user("secretary"))
    payload = {
        "level": "secretary",
        "party_org": world.branch_a.pk,
        "title": "老旧小区加装电梯",
        "problem": "老人上下楼难",
        "goal": "加装 4 部",
        "category": "livelihood",
        "start_on": TODAY().isoformat(),
        "due_on": (TODAY() + dt.timedelta(days=200)).isoformat(),
        "targets": [{"name": "电梯", "unit": "部", "target": "4"}],
    }
    created = client.post("/api/projects/", payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.post(f"/api/projects/{pk}/submit/").json()["status"] == "submitted"
    refused = client.post(f"/api/projects/{pk}/approve/")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_approver")
    admin = api.as_user(world.user("administrator"))
    assert admin.post(f"/api/projects/{pk}/approve/").json()["status"] == "approved"
    client = api.as_user(world.user("secretary"))
    assert client.post(f"/api/projects/{pk}/start/").json()["status"] == "in_progress"
    m = client.post(f"/api/projects/{pk}/milestones/", {"title": "选址", "due_on": TODAY()})
    assert m.status_code == 201
    done = client.post(f"/api/projects/{pk}/milestones/done/", {"milestone": m.json()["id"]})
    assert done.json()["done_on"] == TODAY().isoformat()
    target = Project.objects.get(pk=pk).targets.get()
    report = client.post(
        f"/api/projects/{pk}/reports/",
        {"text": "已装 1 部", "percent": 25, "target_values": {str(target.pk): "1"}},
        format="json",
    )
    assert report.status_code == 201, report.json()
    detail = client.get(f"/api/projects/{pk}/").json()
    assert detail["progress"] == 25 and detail["targets"][0]["current"] == "1.00"
    assert detail["needs_report"] is False
    assert client.post(f"/api/projects/{pk}/complete/").json()["status"] == "completed"
    late = client.post(f"/api/projects/{pk}/reports/", {"text": "x", "percent": 90})
    assert (late.status_code, late.json()["code"]) == (409, "project_not_in_progress")


def test_due_before_start_over_the_api_writes_nothing(world, api):
    client = api.as_user(world.user("secretary"))
    response = client.post(
        "/api/projects/",
        {"level": "secretary", "party_org": world.branch_a.pk, "title": "t", "problem": "p",
         "goal": "g", "category": "ecology", "start_on": "2026-05-01", "due_on": "2026-04-01"},
        format="json",
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "due_before_start")
    assert not Project.objects.exists() and not Milestone.objects.exists()


def test_pledge_confirm_over_the_api(world, api):
    made = api.as_user(world.user("member")).post(
        "/api/pledges/", {"title": "每周清理楼道", "due_on": TODAY().isoformat()}
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    client = api.as_user(world.user("secretary"))
    assert client.post(f"/api/pledges/{pk}/confirm/", {"kept": True}).json()["status"] == "kept"
    comment = api.as_user(world.user("resident")).post(
        f"/api/pledges/{pk}/comments/", {"text": "楼道干净多了"}
    )
    assert comment.status_code == 201 and comment.json()["comments"] == ["楼道干净多了"]


def _scored_session(world, make_session, jury_users):
    x = make_project(world, title="X", org=world.branch_b)
    session = make_session([x])
    return session, x


def test_scoring_is_blind_until_close(world, api, make_session, jury_users):
    session, x = _scored_session(world, make_session, jury_users)
    c = crit(session)
    head = api.as_user(jury_users["department"])
    url = f"/api/review-sessions/{session.pk}/"
    got = head.post(url + "score/", {"project": x.pk, "scores": {c["问需"]: 90}}, format="json")
    assert got.status_code == 200, got.json()
    bad = head.post(url + "score/", {"project": x.pk, "scores": {c["问效"]: 101}}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "score_out_of_range")
    assert Score.objects.count() == 1
    recused = api.as_user(jury_users["veteran"]).post(
        url + "score/", {"project": x.pk, "scores": {c["问需"]: 90}}, format="json"
    )
    assert (recused.status_code, recused.json()["code"]) == (403, "recused")
    organiser = api.as_user(world.user("administrator"))
    early = organiser.get(url + "results/")
    assert (early.status_code, early.json()["code"]) == (409, "session_not_closed")
    assert "total" not in str(organiser.get(url).json())
    mine = api.as_user(jury_users["department"]).get(url + "my-scores/").json()
    assert mine == {"scores": {str(x.pk): {str(c["问需"]): 90}}}
    organiser = api.as_user(world.user("administrator"))  # one client: switch back
    assert organiser.post(url + "close/").json()["status"] == "closed"
    ranking = organiser.get(url + "results/").json()
    assert ranking["rows"] == []  # the only scores were an incomplete set
    sheet = organiser.get(url + "export/")
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["排名", "评委评分", "汇总方法"]
    jurors_export = api.as_user(jury_users["department"]).get(url + "export/")
    assert jurors_export.status_code == 404


def test_board_is_public_and_masks_names(world, api, client):
    project = make_project(world)
    make_project(world, "draft", title="草稿项目")
    services.report_add(actor=world.user("secretary"), project=project, text="进展", percent=30)
    services.pledge_make(actor=world.user("member"), title="每月走访", due_on=TODAY())
    response = client.get("/api/board/", {"area": world.community_a.pk})
    assert response.status_code == 200
    data = response.json()
    assert [p["title"] for p in data["projects"]] == ["老旧小区加装电梯"]
    assert data["projects"][0]["progress"] == 30
    assert data["pledges"][0]["member"] == "李*国"
    assert "周书记" not in response.content.decode()
    filtered = client.get("/api/board/", {"area": world.community_a.pk, "category": "ecology"})
    assert filtered.json()["projects"] == []
    bad = client.get("/api/board/", {"area": world.community_a.pk, "level": "nope"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_level")
    assert client.get("/api/board/", {"area": "x"}).status_code == 404
