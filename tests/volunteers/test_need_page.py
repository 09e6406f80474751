"""Recording a need (服务需求) on the page: staff for an area in scope, a resident for their
own household; bad input is refused with nothing written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.volunteers.models import Need

pytestmark = pytest.mark.django_db
URL = reverse("volunteers:need-new")


def _when(days=3):
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_grid_worker_records_a_need_for_an_area_in_scope(world, client):
    client.force_login(world.user("grid_worker"))
    assert client.get(URL).status_code == 200
    body = {
        "area": world.building_a.pk,
        "title": "每周探访独居老人",
        "skills": "护理, 陪伴",
        "place": "1幢101",
        "wanted_at": _when(),
    }
    response = client.post(URL, body)
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#need-{need.pk}")
    assert need.area == world.building_a and need.title == "每周探访独居老人"
    assert need.created_by == world.user("grid_worker") and need.resident is None
    assert timezone.localtime(need.wanted_at).strftime("%Y-%m-%dT%H:%M") == body["wanted_at"]


def test_a_resident_records_a_need_for_their_own_household(world, client):
    client.force_login(world.user("resident"))
    response = client.post(URL, {"title": "陪同就医", "wanted_at": _when()})
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.resident.user == world.user("resident")
    assert need.area == world.user("resident").resident.household.area


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wanted_at": "明天上午"}, "请填写正确的服务时间"),
        ({"wanted_at": _when(-1)}, "服务时间应晚于现在"),
        ({"title": ""}, ""),
    ],
)
def test_bad_input_writes_nothing(world, client, change, message):
    client.force_login(world.user("grid_worker"))
    body = {"area": world.building_a.pk, "title": "法律咨询", "wanted_at": _when(), **change}
    response = client.post(URL, body, follow=True)
    assert not Need.objects.exists()
    assert message in response.content.decode()


def test_an_area_out_of_scope_looks_missing_and_writes_nothing(world, client):
    client.force_login(world.user("grid_worker"))
    body = {"area": world.building_b.pk, "title": "法律咨询", "wanted_at": _when()}
    response = client.post(URL, body, follow=True)
    assert not Need.objects.exists()
    assert "未找到" in response.content.decode() or response.status_code == 404


def test_a_member_without_staff_role_or_household_cannot_record(world, client):
    client.force_login(world.user("member"))
    body = {"title": "法律咨询", "wanted_at": _when()}
    client.post(URL, body, follow=True)
    assert not Need.objects.exists()
