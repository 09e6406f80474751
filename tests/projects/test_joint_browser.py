"""A joint request in a real browser, at phone size: a resident opens it, nine neighbours
co-sign from the shared link (the first signs in on the way: the link, the sign-in, one
tap), the working group accepts and assigns it, the official replies with a meeting, a
signer rates the reply and the secretary adopts it as a project whose page links back."""

import datetime as dt

import pytest

from apps.projects.models import JointRequest, Project, WorkingGroup
from tests.conftest import login
from tests.projects.joint_helpers import resident, residents
from tests.projects.test_browser import shot

pytestmark = pytest.mark.browser


def logout(page):
    page.context.clear_cookies()


def test_ten_residents_co_sign_then_accepted_replied_rated_adopted(
    world, browser_page, live_server
):
    page, url = browser_page, live_server.url
    WorkingGroup.objects.create(community=world.community_a, threshold=10)
    opener = resident(world, name="王阿姨")
    neighbours = residents(world, 9)

    login(page, live_server, opener.user.username)
    page.goto(url + "/projects/joint/new/")
    page.fill("#id_topic", "小区停车难")
    page.select_option("#id_level", "community")
    page.fill("#id_description", "晚上无处停车，消防通道被占")
    page.click("button.primary")
    joint = JointRequest.objects.get()
    link = f"{url}/projects/joint/{joint.pk}/"
    page.wait_for_url(link)
    assert page.inner_text("#joint-count") == "1"

    # The first neighbour opens the shared link signed out: sign in, then one tap.
    logout(page)
    first = neighbours[0]
    page.goto(link)
    page.fill("#id_username", first.user.username)
    page.fill("#id_password", "pass-1234")
    page.click("button[type=submit]")
    page.wait_for_url(link)
    page.click("button.sign")
    assert "联名成功" in page.locator(".messages").inner_text()
    for n in neighbours[1:]:
        logout(page)
        login(page, live_server, n.user.username)
        page.goto(link)
        if n is neighbours[-1]:
            shot(page, "joint-sign")
        page.click("button.sign")  # one tap
        assert "联名成功" in page.locator(".messages").inner_text()
    assert page.inner_text("#joint-count") == "10"
    assert page.inner_text("#joint-status") == "待受理"

    logout(page)
    login(page, live_server, "secretary")
    page.goto(link)
    page.select_option(".accept-form select[name=assignee]", str(world.user("grid_worker").pk))
    page.click(".accept-form button.primary")
    assert page.inner_text("#joint-status") == "已受理"

    logout(page)
    login(page, live_server, "gridworker")
    page.goto(link)
    page.fill(".reply-form textarea[name=text]", "周六上午在社区会议室与居民面谈")
    meeting = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    page.fill(".reply-form input[name=meeting_at]", meeting)
    page.fill(".reply-form input[name=meeting_place]", "社区会议室")
    page.click(".reply-form button.primary")
    assert page.inner_text("#joint-status") == "已答复"

    logout(page)
    login(page, live_server, opener.user.username)
    page.goto(link)
    assert "社区会议室" in page.inner_text("#joint-" + str(joint.pk))
    shot(page, "joint-replied")
    page.check(".rate-form input[value='4']")
    page.click(".rate-form button.primary")
    assert page.inner_text("#joint-rating") == "4.0"

    logout(page)
    login(page, live_server, "secretary")
    page.goto(link)
    page.fill(".adopt-form input[name=goal]", "新增 50 个停车位")
    page.fill(
        ".adopt-form input[name=due_on]", (dt.date.today() + dt.timedelta(days=120)).isoformat()
    )
    page.click(".adopt-form button.primary")
    project = Project.objects.get()
    page.wait_for_url(f"{url}/projects/{project.pk}/")
    assert "来源：居民联名点题" in page.inner_text(".joint-source")
    shot(page, "joint-adopted-project")
    page.click(".joint-source a")
    page.wait_for_url(link)
    joint.refresh_from_db()
    assert joint.project == project and joint.signature_count == 10
    page.goto(f"{url}/projects/joint/board/?community={world.community_a.pk}")
    shot(page, "joint-board")
