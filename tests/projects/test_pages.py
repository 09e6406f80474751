"""Pages: the board without login, the jury and organiser pages, errors as pages."""

import pytest

from apps.projects import services
from tests.projects.conftest import TODAY, crit, make_project

pytestmark = pytest.mark.django_db


def test_board_page_needs_no_login_and_masks_names(world, client):
    make_project(world)
    services.pledge_make(actor=world.user("member"), title="每月走访", due_on=TODAY())
    response = client.get("/projects/board/", {"area": world.community_a.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "老旧小区加装电梯" in body and "李*国" in body and "李建国" not in body
    assert client.get("/projects/board/", {"level": "x"}).status_code == 400


def test_secretary_pages(world, client):
    project = make_project(world)
    client.force_login(world.user("secretary"))
    assert "老旧小区加装电梯" in client.get("/projects/").content.decode()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "填报进展" in page and "本季度未填报进展" in page
    response = client.post(f"/projects/{project.pk}/reports/", {"text": "x", "percent": "150"})
    assert response.status_code == 302 and not project.reports.exists()
    client.post(f"/projects/{project.pk}/reports/", {"text": "进展顺利", "percent": "30"})
    assert project.reports.get().percent == 30


def test_out_of_scope_project_is_a_404_page(world, client):
    project = make_project(world)
    client.force_login(world.user("outsider"))
    assert client.get(f"/projects/{project.pk}/").status_code == 404


def test_jury_pages_blind_until_close(world, client, make_session, jury_users):
    x = make_project(world, title="X", org=world.branch_b)
    session = make_session([x])
    client.force_login(jury_users["department"])
    page = client.get(f"/projects/sessions/{session.pk}/score/")
    assert page.status_code == 200 and "保存评分" in page.content.decode()
    fields = {f"c{pk}": "88" for pk in crit(session).values()}
    client.post(f"/projects/sessions/{session.pk}/score/", {"project": x.pk, **fields})
    assert 'value="88"' in client.get(f"/projects/sessions/{session.pk}/score/").content.decode()
    assert client.get(f"/projects/sessions/{session.pk}/results/").status_code == 409
    client.force_login(world.user("administrator"))
    assert client.get(f"/projects/sessions/{session.pk}/results/").status_code == 409
    assert client.get(f"/projects/sessions/{session.pk}/score/").status_code == 403
    client.post(f"/projects/sessions/{session.pk}/close/")
    results = client.get(f"/projects/sessions/{session.pk}/results/")
    assert results.status_code == 200 and "汇总方法" in results.content.decode()
    sheet = client.get(f"/projects/sessions/{session.pk}/results.xlsx")
    assert sheet.status_code == 200
