"""The whole path in a real browser: a secretary creates a project → it is approved → a
branch project under it → progress reports → a session with three jurors → scores → close
→ the ranking on the public board. Screenshots at 360×740 go to $PROJECTS_SCREENSHOTS."""

import datetime as dt
import os

import pytest

from apps.projects.models import Project, Result, Score
from tests.conftest import login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PROJECTS_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def logout(page):
    page.context.clear_cookies()


def create_project(page, url, title, *, parent=None, level="secretary"):
    page.goto(url + "/projects/new/")
    page.select_option("#id_level", level)
    if parent:
        page.select_option("#id_parent", label=parent)
    page.fill("#id_title", title)
    page.fill("#id_problem", "老旧小区老人上下楼难")
    page.fill("#id_goal", "年内加装电梯")
    page.select_option("#id_category", "livelihood")
    page.fill("#id_start_on", dt.date.today().isoformat())
    page.fill("#id_due_on", (dt.date.today() + dt.timedelta(days=200)).isoformat())
    page.fill("input[name=target_name]", "电梯")
    page.fill("input[name=target_unit]", "部")
    page.fill("input[name=target_value]", "4")
    page.click("button.primary")
    assert "项目已创建" in page.locator(".messages").inner_text()
    page.click("button.submit")
    return Project.objects.get(title=title)


def approve_and_start(page, live_server, project):
    url = live_server.url
    logout(page)
    login(page, live_server, "admin")
    page.goto(f"{url}/projects/{project.pk}/")
    page.click("button.approve")
    logout(page)
    login(page, live_server, "secretary")
    page.goto(f"{url}/projects/{project.pk}/")
    page.click("button.start")
    assert "推进中" in page.locator(".project-card").first.inner_text()


def report(page, url, project, percent):
    page.goto(f"{url}/projects/{project.pk}/")
    page.fill("#id_text", f"已完成 {percent}%")
    page.fill("#id_percent", str(percent))
    page.click(".report-form button.primary")
    assert "进展已填报" in page.locator(".messages").inner_text()


def test_projects_to_ranking_in_the_browser(world, jury_users, browser_page, live_server):
    page, url = browser_page, live_server.url
    login(page, live_server, "secretary")
    lift = create_project(page, url, "海城社区加装电梯")
    approve_and_start(page, live_server, lift)
    branch = create_project(
        page, url, "支部包楼加装电梯", parent="海城社区加装电梯", level="branch"
    )
    approve_and_start(page, live_server, branch)
    report(page, url, branch, 60)
    page.goto(f"{url}/projects/{lift.pk}/")
    assert "进度 60%" in page.locator(".project-card").inner_text()  # the child's progress
    shot(page, "project-detail")
    page.goto(url + "/projects/")
    shot(page, "project-list")

    logout(page)
    login(page, live_server, "admin")
    page.goto(url + "/projects/sessions/new/")
    page.fill("#id_title", "第四季度项目赛花会")
    page.select_option("#id_party_org", label="大榭街道党工委")
    deadline = dt.datetime.now() + dt.timedelta(days=3)
    page.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.click("button.primary")
    assert "请添加评委" in page.locator(".messages").inner_text()
    for username, kind in (
        ("veteran", "veteran"),
        ("resident", "resident"),
        ("head", "department"),
    ):
        page.fill(".juror-form input[name=username]", username)
        page.select_option(".juror-form select[name=kind]", kind)
        page.click(".juror-form button")
    page.click("button.open")
    assert "评分中" in page.locator("article.card").first.inner_text()
    session_url = page.url

    marks = {"veteran": (90, 70), "resident": (80, 60), "head": (85, 75)}
    for username, (a, b) in marks.items():
        logout(page)
        login(page, live_server, username)
        page.goto(session_url + "score/")
        for project, value in ((lift, a), (branch, b)):
            card = page.locator(f"#score-{project.pk}")
            for field in card.locator("input[type=number]").all():
                field.fill(str(value))
            card.locator("button.save").click()
            assert "已保存" in page.locator(".messages").inner_text()
        if username == "head":
            shot(page, "score")
    assert Score.objects.count() == 3 * 2 * 3

    logout(page)
    login(page, live_server, "admin")
    page.goto(session_url)
    page.click("button.close")
    assert "汇总方法：平均分" in page.locator(".ranking").inner_text()
    shot(page, "results")
    assert list(Result.objects.values_list("project_id", "rank")) == [(lift.pk, 1), (branch.pk, 2)]

    logout(page)
    page.goto(f"{url}/projects/board/?area={world.community_a.pk}")
    ranking = page.locator(".ranking").first.inner_text()
    assert "1. 海城社区加装电梯" in ranking and "2. 支部包楼加装电梯" in ranking
    assert "周书记" not in page.content() and "周*记" in page.content()
    shot(page, "board")
