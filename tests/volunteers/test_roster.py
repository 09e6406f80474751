"""Volunteers as a roster kind (apps/volunteers/rosters.py, registered with the rosters
app's kind registry): import with every bad row explained, all or nothing, and export."""

import csv
import io

import pytest

from apps.register.models import Member
from apps.rosters.columns import ROSTERS
from apps.rosters.resources import roster_export
from apps.rosters.services import roster_import
from apps.volunteers.models import RegistrationEvent, VolunteerRegistration
from tests.rosters.helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "社区", "岗位", "技能", "可服务时间"]


@pytest.fixture
def people(world, make_post):
    make_post("护河志愿者")
    make_post("文明劝导员")
    make_post("调解员", community=world.community_b)
    phones = {"member": "13900000001", "group_leader": "13900000002", "outsider": "13900000003"}
    for role, phone in phones.items():
        Member.objects.filter(user=world.user(role)).update(phone=phone)
    return phones


def _import(world, rows, role="secretary", dry_run=False, fmt="csv"):
    data = (csv_bytes if fmt == "csv" else xlsx_bytes)([HEADER, *rows])
    return roster_import(
        kind="volunteers",
        data=data,
        filename=f"志愿者.{fmt}",
        user=world.user(role),
        dry_run=dry_run,
    )


def test_the_volunteers_kind_is_registered_with_chinese_headers():
    assert [c.zh for c in ROSTERS["volunteers"].columns] == HEADER


def test_a_good_file_imports_registrations_and_again_changes_nothing(world, people):
    rows = [
        ["李建国", people["member"], "海城社区", "护河志愿者", "医疗、法律", "周末"],
        ["赵组长", people["group_leader"], "大榭街道/海城社区", "文明劝导员", "", ""],
    ]
    preview = _import(world, rows, dry_run=True, fmt="xlsx")
    assert preview.ok and preview.new == 2 and not VolunteerRegistration.objects.exists()

    result = _import(world, rows)
    assert result.ok and result.written and (result.new, result.updated) == (2, 0)
    reg = VolunteerRegistration.objects.get(member__user=world.user("member"))
    assert (reg.status, reg.choice_1.name, reg.skills) == (
        "pending",
        "护河志愿者",
        ["医疗", "法律"],
    )
    assert reg.community == world.community_a and reg.available_times == "周末"
    assert RegistrationEvent.objects.filter(move="submit").count() == 2

    again = _import(world, rows)
    assert again.ok and (again.new, again.updated, again.unchanged) == (0, 0, 2)

    rows[0][4] = "医疗"
    changed = _import(world, rows)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 1)
    reg.refresh_from_db()
    assert reg.skills == ["医疗"] and VolunteerRegistration.objects.count() == 2


def test_bad_rows_are_reported_with_their_numbers_and_nothing_is_written(world, people):
    rows = [
        ["李建国", people["member"], "海城社区", "护河志愿者", "医疗", ""],  # row 2: good
        ["王五", "13911112222", "海城社区", "护河志愿者", "", ""],  # 3: no such member
        ["李四", people["group_leader"], "海城社区", "护河志愿者", "", ""],  # 4: wrong name
        ["赵组长", people["group_leader"], "海城社区", "不存在的岗位", "", ""],  # 5
        ["孙外人", people["outsider"], "海城社区", "护河志愿者", "", ""],  # 6: not home
        ["李建国", people["member"], "海城社区", "文明劝导员", "", ""],  # 7: duplicate
        ["某", "12", "海城社区", "护河志愿者", "", ""],  # 8: bad phone
        ["某", "13900000009", "海城社区", "护河志愿者", "、".join("abcdefghijk"), ""],  # 9
        ["某", "13900000008", "海城第1网格", "护河志愿者", "", ""],  # 10: not a community
    ]
    result = _import(world, rows)
    assert not result.ok and not result.written
    got = [(e["row"], e["column"]) for e in result.errors]
    assert got == [
        (3, "手机号"),
        (4, "姓名"),
        (5, "岗位"),
        (6, "社区"),
        (7, "手机号"),
        (8, "手机号"),
        (9, "技能"),
        (10, "社区"),
    ], result.errors
    by_row = {e["row"]: e["message"] for e in result.errors}
    assert "请先导入党员名册" in by_row[3] and "赵组长" in by_row[4]
    assert "不存在的岗位" in by_row[5] and "第 2 行" in by_row[7]
    assert not VolunteerRegistration.objects.exists()  # the good row was not written either


def test_an_import_outside_ones_community_is_refused(world, people):
    rows = [["李建国", people["member"], "海城社区", "护河志愿者", "", ""]]
    result = _import(world, rows, role="outsider")  # the secretary of community B
    assert not result.ok and [e["column"] for e in result.errors] == ["社区"]
    assert "无权导入" in result.errors[0]["message"]
    assert not VolunteerRegistration.objects.exists()


def test_export_lists_open_registrations_in_scope_and_imports_back_unchanged(world, people):
    rows = [["李建国", people["member"], "海城社区", "护河志愿者", "医疗、法律", "周末"]]
    assert _import(world, rows).ok
    data = roster_export(kind="volunteers", user=world.user("secretary"), fmt="csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == HEADER
    assert table[1] == [
        "李建国",
        people["member"],
        "北仑区/大榭街道/海城社区",
        "护河志愿者",
        "医疗、法律",
        "周末",
    ]
    again = roster_import(
        kind="volunteers", data=data, filename="导出.csv", user=world.user("secretary")
    )
    assert again.ok and again.unchanged == 1

    # Someone else's community: nothing.
    other = roster_export(kind="volunteers", user=world.user("outsider"), fmt="csv")
    assert len(list(csv.reader(io.StringIO(other.decode("utf-8-sig"))))) == 1


def test_the_roster_pages_offer_the_volunteers_kind(world, client, people):
    client.force_login(world.user("secretary"))
    assert "志愿者名册" in client.get("/rosters/").content.decode()
    r = client.get("/rosters/templates/volunteers.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get("/rosters/export/volunteers.csv")
    assert r.status_code == 200 and r.content.decode("utf-8-sig").startswith(",".join(HEADER))


def test_the_registrations_admin_has_the_roster_buttons(world, client):
    from apps.accounts.models import User

    client.force_login(User.objects.create_superuser("su", password="x"))
    page = client.get("/admin/volunteers/volunteerregistration/").content.decode()
    assert "/rosters/?kind=volunteers" in page  # 导入名册 opens the roster pages
