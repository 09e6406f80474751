"""Import semantics: natural keys, idempotent re-import, round trip, every roster,
all-or-nothing, scope."""

import pytest

from apps.register.models import Household, Member, Organisation, PartyOrg, Resident
from apps.rosters.importers import Importer, MemberImporter
from apps.rosters.resources import roster_export
from apps.rosters.services import roster_import

from .helpers import MEMBER_HEADER, csv_bytes, id_number, member_row

pytestmark = pytest.mark.django_db


def members_file(rows) -> bytes:
    return csv_bytes([MEMBER_HEADER, *rows])


def counts(result) -> tuple[int, int, int]:
    return result.new, result.updated, result.unchanged


def test_reimporting_the_same_file_changes_nothing(world):
    data = members_file([member_row(i) for i in range(1, 6)])
    first = roster_import(kind="members", data=data, filename="m.csv")
    assert counts(first) == (5, 0, 0) and first.written
    stamps = dict(Member.objects.values_list("phone", "updated_at"))
    again = roster_import(kind="members", data=data, filename="m.csv")
    assert counts(again) == (0, 0, 5)
    assert again.summary() == "0 条新增，0 条更新，5 条未变"
    assert dict(Member.objects.values_list("phone", "updated_at")) == stamps


def test_members_are_matched_by_phone_then_by_id_number(world):
    roster_import(kind="members", data=members_file([member_row(1)]), filename="m.csv")
    changed = member_row(1, 党员类型="离退休", 入党日期="1999-07-01")
    new_phone = member_row(1, 手机号="13800000001")  # same ID number, new phone
    result = roster_import(kind="members", data=members_file([changed]), filename="m.csv")
    assert counts(result) == (0, 1, 0)
    assert result.changes[0]["fields"][0] == {"column": "党员类型", "old": "在职", "new": "离退休"}
    result = roster_import(kind="members", data=members_file([new_phone]), filename="m.csv")
    assert counts(result) == (0, 1, 0)
    member = Member.objects.get(id_number=id_number(1))
    assert (member.phone, member.kind) == ("13800000001", "employed")


def test_phone_and_id_number_of_two_different_members_is_an_error(world):
    roster_import(
        kind="members", data=members_file([member_row(1), member_row(2)]), filename="m.csv"
    )
    mixed = member_row(1, 身份证号=id_number(2))
    result = roster_import(kind="members", data=members_file([mixed]), filename="m.csv")
    assert result.errors and "两条不同记录" in result.errors[0]["message"]


def test_one_bad_row_writes_nothing(world):
    rows = [member_row(i) for i in range(1, 50)] + [member_row(50, 手机号="bad")]
    result = roster_import(kind="members", data=members_file(rows), filename="m.csv")
    assert result.errors and not result.written
    assert not Member.objects.filter(phone__startswith="137").exists()


def test_dry_run_counts_but_writes_nothing(world):
    data = members_file([member_row(i) for i in range(1, 4)])
    result = roster_import(kind="members", data=data, filename="m.csv", dry_run=True)
    assert counts(result) == (3, 0, 0) and not result.written
    assert len(result.changes) == 3 and result.changes[0]["action"] == "new"
    assert not Member.objects.filter(phone__startswith="137").exists()


def _roundtrip(kind: str) -> None:
    data = roster_export(kind=kind, user=None, fmt="xlsx")
    result = roster_import(kind=kind, data=data, filename="export.xlsx")
    assert result.ok, result.errors
    assert result.new == result.updated == 0 and result.unchanged == result.total > 0
    data = roster_export(kind=kind, user=None, fmt="csv")
    assert roster_import(kind=kind, data=data, filename="export.csv").unchanged == result.total


def test_every_roster_round_trips_export_import_unchanged(world):
    roster_import(
        kind="members",
        data=members_file(
            [member_row(1, 入党日期="2001-07-01"), member_row(2, 党员类型="积极分子")]
        ),
        filename="m.csv",
    )
    roster_import(
        kind="organisations",
        data=csv_bytes(
            [
                ["名称", "类型", "所在区域", "统一社会信用代码", "联系电话", "接收微心愿推送"],
                ["海城物业", "企业", "海城社区", "91330206MA2AAAAA1X", "13800000000", "是"],
                ["海城志愿者协会", "社会组织", "大榭街道", "", "", "否"],
            ]
        ),
        filename="o.csv",
    )
    for kind in ("members", "households", "residents", "party_orgs", "organisations"):
        _roundtrip(kind)


def test_households_by_path_building_unit_and_room(world):
    header = ["社区", "网格", "楼幢", "单元", "室", "地址"]
    rows = [
        ["大榭街道/海城社区", "海城第1网格", "1幢", "1", "101", "海城路1号"],  # exists (world)
        ["海城社区", "海城第1网格", "1幢", "2", "201", "海城路1号"],
        ["榭南社区", "榭南第1网格", "8幢", "", "301", ""],
    ]
    result = roster_import(kind="households", data=csv_bytes([header, *rows]), filename="h.csv")
    assert counts(result) == (2, 1, 0), result.errors
    assert Household.objects.get(area=world.building_b, unit="", room="301")
    result = roster_import(kind="households", data=csv_bytes([header, *rows]), filename="h.csv")
    assert counts(result) == (0, 0, 3)


def test_residents_with_hardship_flags(world):
    header = ["姓名", "性别", "身份证号", "社区", "网格", "楼幢", "单元", "室", "独居", "残疾"]
    rows = [
        [
            "陈阿婆",
            "女",
            id_number(7, "19400101"),
            "海城社区",
            "海城第1网格",
            "1幢",
            "1",
            "101",
            "是",
            "否",
        ],
        ["陈阿公", "男", "", "海城社区", "海城第1网格", "1幢", "1", "101", "否", "是"],
        ["无名", "男", "", "海城社区", "海城第1网格", "1幢", "1", "999", "否", "否"],
    ]
    result = roster_import(kind="residents", data=csv_bytes([header, *rows]), filename="r.csv")
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "室")]
    assert "请先导入户籍名册" in result.errors[0]["message"]
    result = roster_import(kind="residents", data=csv_bytes([header, *rows[:2]]), filename="r.csv")
    assert counts(result) == (2, 0, 0)
    grandma = Resident.objects.get(name="陈阿婆")
    assert grandma.lives_alone and not grandma.disabled
    Resident.objects.get(name="陈阿婆").refresh_from_db()
    assert Resident.objects.get(name="陈阿公").vulnerable  # the generated column
    rows[1][9] = "否"
    result = roster_import(kind="residents", data=csv_bytes([header, *rows[:2]]), filename="r.csv")
    assert counts(result) == (0, 1, 1)
    assert not Resident.objects.get(name="陈阿公").vulnerable


def test_party_orgs_by_path_with_parents_earlier_in_the_file(world):
    header = ["名称", "类型", "上级组织", "所在区域"]
    rows = [
        ["海城社区党总支", "党总支", "大榭街道党工委", "海城社区"],
        ["第一党支部", "党支部", "大榭街道党工委/海城社区党总支", "海城社区"],
        ["第一党小组", "党小组", "海城社区党总支/第一党支部", ""],
        ["第一党支部", "党支部", "榭南社区党支部", ""],  # same name, other parent: a new org
    ]
    result = roster_import(kind="party_orgs", data=csv_bytes([header, *rows]), filename="p.csv")
    assert counts(result) == (4, 0, 0), result.errors
    group = PartyOrg.objects.get(name="第一党小组")
    assert PartyOrg.objects.get(path=group.path[:-8]).name == "海城社区党总支"
    again = roster_import(kind="party_orgs", data=csv_bytes([header, *rows]), filename="p.csv")
    assert counts(again) == (0, 0, 4)
    bad = roster_import(
        kind="party_orgs",
        data=csv_bytes([header, ["x", "党支部", "没有这个党委", ""]]),
        filename="p.csv",
    )
    assert bad.errors[0]["column"] == "上级组织"


def test_organisations_by_credit_code_or_area_and_name(world):
    header = ["名称", "类型", "所在区域", "统一社会信用代码", "接收微心愿推送"]
    rows = [["海城物业", "企业", "海城社区", "91330206MA2AAAAA1X", "是"]]
    roster_import(kind="organisations", data=csv_bytes([header, *rows]), filename="o.csv")
    rows[0][0] = "海城物业有限公司"  # renamed, same credit code
    result = roster_import(kind="organisations", data=csv_bytes([header, *rows]), filename="o.csv")
    assert counts(result) == (0, 1, 0)
    assert Organisation.objects.get().wish_notifications is True


def test_an_administrator_cannot_import_into_another_street(world, other_street):
    admin_b = other_street["admin"]
    rows = [member_row(1, 报到社区="白峰社区", 所在支部="白峰社区党支部"), member_row(2)]
    result = roster_import(kind="members", data=members_file(rows), filename="m.csv", user=admin_b)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "报到社区")]
    assert "无权" in result.errors[0]["message"]
    assert not Member.objects.filter(phone__startswith="137").exists()
    ok = roster_import(kind="members", data=members_file(rows[:1]), filename="m.csv", user=admin_b)
    assert ok.written and ok.new == 1


def test_a_row_cannot_move_a_member_out_of_someone_elses_street(world, other_street):
    roster_import(kind="members", data=members_file([member_row(1)]), filename="m.csv")
    moved = member_row(1, 报到社区="白峰社区", 所在支部="白峰社区党支部")
    result = roster_import(
        kind="members", data=members_file([moved]), filename="m.csv", user=other_street["admin"]
    )
    assert result.errors and "管辖范围之外" in result.errors[0]["message"]


def test_street_administrator_may_import_households_of_their_street(world, other_street):
    header = ["社区", "网格", "楼幢", "室"]
    rows = [["海城社区", "海城第1网格", "1幢", "501"]]
    data = csv_bytes([header, *rows])
    assert roster_import(
        kind="households", data=data, filename="h.csv", user=world.user("administrator")
    ).written
    result = roster_import(
        kind="households", data=data, filename="h.csv", user=other_street["admin"]
    )
    assert result.errors and not result.written


def test_export_masks_personal_data_for_roles_that_may_not_see_it(world):
    from apps.accounts.models import Role
    from tests import factories as f

    roster_import(
        kind="members", data=members_file([member_row(1, 姓名="张秀梅")]), filename="m.csv"
    )
    from apps.grids.models import ResponsibilityGroup
    from apps.register.models import Member

    # A group leader sees their group's members, not their personal data.
    leader = f.UserFactory(username="community-leader")
    f.grant(leader, Role.GROUP_LEADER, area=world.grid_a)
    led = f.MemberFactory(user=leader, branch=world.branch_a, community=world.community_a)
    group = ResponsibilityGroup.objects.create(name="组", grid=world.grid_a, leader=led)
    group.memberships.create(member=Member.objects.get(name="张秀梅"))

    def export(user) -> str:
        return roster_export(kind="members", user=user, fmt="csv").decode("utf-8-sig")

    masked = export(leader)
    assert "张*梅" in masked and "137****0001" in masked and "13700000001" not in masked
    assert id_number(1) not in masked and id_number(1)[-4:] in masked
    plain = export(world.user("secretary"))
    assert "张秀梅" in plain and "13700000001" in plain and id_number(1) in plain
    assert "秀梅" not in export(world.user("outsider"))  # out of scope: not exported at all


def test_integrity_conflict_during_the_write_rolls_everything_back(world, monkeypatch):
    """Someone inserts a member with the same phone after our lookup: nothing is written."""
    roster_import(kind="members", data=members_file([member_row(3)]), filename="m.csv")
    monkeypatch.setattr(MemberImporter, "existing", lambda self, records: {})
    rows = [member_row(1), member_row(2), member_row(3)]
    from apps.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        roster_import(kind="members", data=members_file(rows), filename="m.csv")
    assert exc.value.code == "conflict"
    assert set(Member.objects.filter(phone__startswith="137").values_list("phone", flat=True)) == {
        "13700000003"
    }


@pytest.mark.services
def test_all_or_nothing_on_postgresql(world, services, monkeypatch):
    """On PostgreSQL the new rows go in with COPY and the changed ones with INSERT … ON
    CONFLICT; a failure after the COPY rolls both back."""
    first = roster_import(kind="members", data=members_file([member_row(1)]), filename="m.csv")
    assert first.written, first.errors
    rows = [member_row(1, 党员类型="流动")] + [member_row(i) for i in range(2, 3000)]

    def fail(self, updated, done, total):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Importer, "update", fail)
    with pytest.raises(RuntimeError):
        roster_import(kind="members", data=members_file(rows), filename="m.csv")
    assert Member.objects.filter(phone__startswith="137").count() == 1
    monkeypatch.undo()
    result = roster_import(kind="members", data=members_file(rows), filename="m.csv")
    assert counts(result) == (2998, 1, 0)
    assert Member.objects.get(phone="13700000001").kind == "mobile"
    again = roster_import(kind="members", data=members_file(rows), filename="m.csv")
    assert counts(again) == (0, 0, 2999)
