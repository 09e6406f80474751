"""The joint-request pages: list, new, detail with its one-tap sign button, actions, the
public board, and the project page's link back."""

import datetime as dt

import pytest

from apps.projects.models import JointRequest, Project
from tests.projects.joint_helpers import make_request, open_request, resident

pytestmark = pytest.mark.django_db


def test_a_resident_opens_a_request_from_the_form(world, client):
    me = resident(world)
    client.force_login(me.user)
    assert client.get("/projects/joint/new/").status_code == 200
    r = client.post(
        "/projects/joint/new/", {"topic": "楼道灯坏了", "level": "community", "description": ""}
    )
    joint = JointRequest.objects.get()
    assert r.status_code == 302 and r.url == f"/projects/joint/{joint.pk}/"
    assert joint.signature_count == 1


def test_the_shared_link_shows_one_sign_button_that_signs(world, client):
    request = open_request(world)
    neighbour = resident(world)
    client.force_login(neighbour.user)
    page = client.get(f"/projects/joint/{request.pk}/").content.decode()
    assert "我要联名" in page
    r = client.post(f"/projects/joint/{request.pk}/sign/")
    assert r.status_code == 302
    request.refresh_from_db()
    assert request.signature_count == 2
    page = client.get(f"/projects/joint/{request.pk}/").content.decode()
    assert "我要联名" not in page and "您已联名" in page


def test_signing_from_another_community_shows_the_reason_and_writes_nothing(world, client):
    request = open_request(world)
    stranger = resident(world, building=world.building_b)
    client.force_login(stranger.user)
    r = client.post(
        f"/projects/joint/{request.pk}/sign/", HTTP_REFERER="/projects/joint/", follow=True
    )
    assert "只有本社区的居民可以联名" in r.content.decode()
    assert request.signatures.count() == 1
    assert client.get(f"/projects/joint/{request.pk}/").status_code == 404


def test_the_working_group_accepts_from_the_page(world, client):
    request, _ = make_request(world, "under_review")
    client.force_login(world.user("secretary"))
    page = client.get(f"/projects/joint/{request.pk}/").content.decode()
    assert "受理并指派" in page and "陈网格" in page
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    client.post(
        f"/projects/joint/{request.pk}/accept/",
        {"assignee": world.user("grid_worker").pk, "reply_due": due},
    )
    request.refresh_from_db()
    assert request.status == "accepted" and request.reply_due.isoformat() == due


def test_adopting_from_the_page_links_both_ways(world, client):
    request, _ = make_request(world, "accepted")
    client.force_login(world.user("secretary"))
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    r = client.post(
        f"/projects/joint/{request.pk}/adopt/",
        {"goal": "解决停车", "category": "livelihood", "due_on": due},
    )
    project = Project.objects.get()
    assert r.url == f"/projects/{project.pk}/"
    page = client.get(r.url).content.decode()
    assert "来源：居民联名点题" in page and f"/projects/joint/{request.pk}/" in page


def test_the_board_needs_no_login_and_masks_names(world, client):
    open_request(world, opener=resident(world, name="赵小兰"))
    page = client.get("/projects/joint/board/", {"community": world.community_a.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert "赵*兰" in text and "赵小兰" not in text
    bad = client.get("/projects/joint/board/", {"community": world.community_a.pk, "end": "x"})
    assert bad.status_code == 400


def test_an_unknown_action_is_refused(world, client):
    request = open_request(world)
    client.force_login(world.user("secretary"))
    r = client.post(f"/projects/joint/{request.pk}/explode/", HTTP_REFERER="/projects/joint/")
    assert r.status_code == 302
    assert JointRequest.objects.get().status == "collecting"


def test_the_secretary_names_and_removes_working_group_members_on_a_page(world, client):
    from apps.projects.models import WorkingGroupMember

    client.force_login(world.user("secretary"))
    assert "海城社区" in client.get("/projects/joint/group/").content.decode()
    client.post("/projects/joint/group/", {"community": world.community_a.pk, "login": "member"})
    seat = WorkingGroupMember.objects.get()
    assert seat.user == world.user("member")
    r = client.post(
        "/projects/joint/group/",
        {"community": world.community_a.pk, "login": "nobody-here"},
        HTTP_REFERER="/projects/joint/group/",
        follow=True,
    )
    assert "找不到该用户" in r.content.decode()
    client.post("/projects/joint/group/", {"remove": seat.pk})
    assert not WorkingGroupMember.objects.exists()
    # The outsider (secretary of B) cannot touch A's group.
    client.force_login(world.user("outsider"))
    client.post("/projects/joint/group/", {"community": world.community_a.pk, "login": "member"})
    assert not WorkingGroupMember.objects.exists()
