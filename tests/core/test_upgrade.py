"""Upgrading keeps the data: a database built and filled at the schema of the previous
release (the register and the points ledger still in `grids`) migrates forward with every
row kept, and back again. Needs real PostgreSQL: the moves are state-only and the tables
keep their names, so only a real schema shows that nothing is dropped or rebuilt."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.accounts.models import User
from apps.register.models import Member

pytestmark = pytest.mark.services

# Apps that did not exist in the previous release: the old state is every migration except
# theirs and those that depend on them (grids 0007, accounts 0003, wishes 0003, ...).
NEW_APPS = ("register", "points")
REGISTER_MODELS = ("area", "household", "resident", "partyorg", "member", "organisation")
POINTS_MODELS = ("pointsrule", "pointsentry")


def _old_nodes(graph) -> list[tuple[str, str]]:
    new = set()
    for root in graph.root_nodes():
        if root[0] in NEW_APPS:
            new.update(graph.backwards_plan(root))
    return [node for node in graph.nodes if node not in new]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def _migrate_to_latest() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if not executor.migration_plan(targets):
        return executor
    return _migrate(targets)


def _migrate_to_old() -> MigrationExecutor:
    return _migrate([(app, None) for app in NEW_APPS])


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if table == "django_migrations":
                continue
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _rows_kept(before: dict[str, int]) -> bool:
    """Every table of the old release still has its rows (later migrations may add tables,
    e.g. history backfilled from these rows)."""
    after = _row_counts()
    return {table: after.get(table) for table in before} == before


def _content_types() -> dict[int, tuple[str, str]]:
    return {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}


def _seed_old_schema(apps) -> dict[str, int]:
    """A little of everything the previous release stored, through its historical models;
    returns the primary keys to look up afterwards."""

    def model(label):
        return apps.get_model(*label.split("."))

    Area = model("grids.Area")
    PartyOrg = model("grids.PartyOrg")
    User = model("accounts.User")
    CT = model("contenttypes.ContentType")
    Permission = model("auth.Permission")

    # The previous release's content types (and permissions) for the moved models.
    cts = {
        name: CT.objects.get_or_create(app_label="grids", model=name)[0]
        for name in REGISTER_MODELS + POINTS_MODELS + ("visit",)
    }
    change_member, _ = Permission.objects.get_or_create(
        content_type=cts["member"], codename="change_member", defaults={"name": "改党员"}
    )

    # Treebeard's materialised path, written by hand: historical models have no MP_Node API.
    levels = [
        ("升级区", "district"),
        ("升级街道", "street"),
        ("升级社区", "community"),
        ("升级网格", "grid"),
        ("升级1幢", "building"),
    ]
    district, street, community, grid, building = (
        Area.objects.create(
            path="U001" + "0001" * (depth - 1),
            depth=depth,
            numchild=int(depth < len(levels)),
            name=name,
            kind=kind,
        )
        for depth, (name, kind) in enumerate(levels, start=1)
    )
    committee = PartyOrg.objects.create(
        path="U001", depth=1, numchild=1, name="升级党工委", kind="working_committee", area=street
    )
    branch = PartyOrg.objects.create(
        path="U0010001", depth=2, numchild=0, name="升级支部", kind="branch", area=community
    )

    household = model("grids.Household").objects.create(area=building, unit="1", room="101")
    resident_user = User.objects.create(username="upg-resident", password="!")
    resident = model("grids.Resident").objects.create(
        household=household, user=resident_user, name="升级居民", elderly=True
    )
    member_user = User.objects.create(username="upg-member", password="!")
    member_user.user_permissions.add(change_member)
    member = model("grids.Member").objects.create(
        user=member_user,
        name="升级党员",
        kind="employed",
        community=community,
        residence=building,
        branch=branch,
        joined_on=dt.date(2020, 7, 1),
    )
    rep_user = User.objects.create(username="upg-rep", password="!")
    organisation = model("grids.Organisation").objects.create(
        name="升级企业", kind="enterprise", area=community
    )
    organisation.representatives.add(rep_user)
    role = model("accounts.RoleAssignment").objects.create(
        user=member_user, role="member", area=community
    )
    model("accounts.RoleAssignment").objects.create(
        user=member_user, role="member", party_org=branch
    )

    group = model("grids.ResponsibilityGroup").objects.create(
        name="升级责任组", grid=grid, leader=member
    )
    model("grids.GroupMembership").objects.create(group=group, member=member)
    model("grids.GroupHousehold").objects.create(group=group, household=household)
    pairing = model("grids.Pairing").objects.create(
        helper=member, resident=resident, started_on=dt.date(2024, 1, 1)
    )
    visit = model("grids.Visit").objects.create(
        household=household,
        area=building,
        member=member,
        group=group,
        pairing=pairing,
        visited_at=timezone.now(),
        created_by=member_user,
    )
    problem = model("grids.Problem").objects.create(
        category="facility",
        title="楼道灯坏了",
        area=building,
        household=household,
        visit=visit,
        reporter=member_user,
        due_at=timezone.now() + dt.timedelta(days=3),
    )
    model("grids.ProblemEvent").objects.create(
        problem=problem,
        actor=member_user,
        from_status="open",
        to_status="open",
        from_level=1,
        to_level=1,
    )

    rule, _ = model("grids.PointsRule").objects.update_or_create(
        code="upgrade-visit", defaults={"name": "升级走访", "points": 2}
    )
    entry = model("grids.PointsEntry").objects.create(
        member=member, rule=rule, points=2, source_type=cts["visit"], source_id=visit.pk
    )

    category, _ = model("wishes.WishCategory").objects.get_or_create(name="升级类别")
    wish = model("wishes.Wish").objects.create(
        title="想要一把轮椅",
        category=category,
        resident=resident,
        area=building,
        entered_by=resident_user,
        status="claimed",
    )
    model("wishes.WishEvent").objects.create(wish=wish, to_status="claimed", actor=member_user)
    claim = model("wishes.Claim").objects.create(
        wish=wish, claimant=member_user, member=member, status="active"
    )
    model("wishes.Claim").objects.create(
        wish=wish, claimant=rep_user, organisation=organisation, status="withdrawn"
    )

    log = model("admin.LogEntry").objects.create(
        user_id=member_user.pk,
        content_type_id=cts["member"].pk,
        object_id=str(member.pk),
        object_repr="升级党员",
        action_flag=CHANGE,
        change_message="upgrade",
    )
    return {
        "district": district.pk,
        "community": community.pk,
        "building": building.pk,
        "committee": committee.pk,
        "branch": branch.pk,
        "household": household.pk,
        "resident": resident.pk,
        "member": member.pk,
        "member_user": member_user.pk,
        "rep_user": rep_user.pk,
        "organisation": organisation.pk,
        "role": role.pk,
        "group": group.pk,
        "visit": visit.pk,
        "problem": problem.pk,
        "pairing": pairing.pk,
        "rule": rule.pk,
        "entry": entry.pk,
        "wish": wish.pk,
        "claim": claim.pk,
        "log": log.pk,
        "member_ct": cts["member"].pk,
        "area_ct": cts["area"].pk,
        "rule_ct": cts["pointsrule"].pk,
        "visit_ct": cts["visit"].pk,
    }


def _assert_new_models_see(pk):
    from apps.accounts.models import RoleAssignment
    from apps.grids.models import Pairing, Problem, ResponsibilityGroup, Visit
    from apps.points.models import PointsEntry, PointsRule
    from apps.register.models import Area, Household, Organisation, PartyOrg, Resident
    from apps.wishes.models import Claim, Wish

    member = Member.objects.get(pk=pk["member"])
    assert member.community_id == pk["community"] and member.community.name == "升级社区"
    assert member.residence.pk == pk["building"]
    assert (
        member.branch.pk == pk["branch"]
        and PartyOrg.objects.get_parent(member.branch).pk == pk["committee"]
    )
    assert member.user.pk == pk["member_user"]
    assert User.objects.get(pk=pk["member_user"]).member == member
    resident = Resident.objects.get(pk=pk["resident"])
    assert resident.household == Household.objects.get(pk=pk["household"])
    assert Area.objects.get_parent(resident.household.area).kind == Area.Kind.GRID
    assert resident.vulnerable is True
    assert [a.name for a in Area.objects.get_ancestors(Area.objects.get(pk=pk["building"]))] == [
        "升级区",
        "升级街道",
        "升级社区",
        "升级网格",
    ]
    assert (
        PartyOrg.objects.get_children(PartyOrg.objects.get(pk=pk["committee"])).get().pk
        == pk["branch"]
    )
    organisation = Organisation.objects.get(pk=pk["organisation"])
    assert list(organisation.representatives.values_list("pk", flat=True)) == [pk["rep_user"]]
    role = RoleAssignment.objects.get(pk=pk["role"])
    assert isinstance(role.area, Area) and role.area.pk == pk["community"]

    group = ResponsibilityGroup.objects.get(pk=pk["group"])
    assert group.leader == member and list(group.members.all()) == [member]
    assert group.grid.name == "升级网格"
    visit = Visit.objects.get(pk=pk["visit"])
    assert (visit.member, visit.household.pk, visit.area.pk) == (
        member,
        pk["household"],
        pk["building"],
    )
    assert Problem.objects.get(pk=pk["problem"]).household.pk == pk["household"]
    assert Pairing.objects.get(pk=pk["pairing"]).resident == resident

    entry = PointsEntry.objects.get(pk=pk["entry"])
    assert entry.member == member and entry.rule == PointsRule.objects.get(pk=pk["rule"])
    assert entry.source_type.pk == pk["visit_ct"]
    assert entry.source_type.model_class() is Visit

    wish = Wish.objects.get(pk=pk["wish"])
    assert wish.resident == resident and wish.area.pk == pk["building"]
    claim = Claim.objects.get(pk=pk["claim"])
    assert claim.member == member and claim.wish == wish
    assert Claim.objects.get(wish=wish, organisation__isnull=False).organisation == organisation


def test_previous_release_database_migrates_forward_and_back_with_every_row(services):
    old_nodes = _old_nodes(MigrationExecutor(connection).loader.graph)
    try:
        executor = _migrate_to_old()
        assert set(executor.loader.applied_migrations) == set(old_nodes)
        assert not ContentType.objects.filter(app_label__in=NEW_APPS).exists()
        pk = _seed_old_schema(executor.loader.project_state(old_nodes, at_end=True).apps)
        before = _row_counts()
        cts_before = _content_types()
        assert cts_before[pk["member_ct"]] == ("grids", "member")

        # Forward: nothing is lost, the new models see the old rows, the content types follow.
        _migrate_to_latest()
        assert _rows_kept(before)
        _assert_new_models_see(pk)
        cts = _content_types()
        assert cts.keys() == cts_before.keys()
        assert cts[pk["member_ct"]] == ("register", "member")
        assert cts[pk["area_ct"]] == ("register", "area")
        assert cts[pk["rule_ct"]] == ("points", "pointsrule")
        assert cts[pk["visit_ct"]] == ("grids", "visit")
        moved = REGISTER_MODELS + POINTS_MODELS
        assert not ContentType.objects.filter(app_label="grids", model__in=moved).exists()
        log = LogEntry.objects.get(pk=pk["log"])
        assert (log.content_type.app_label, log.content_type.model) == ("register", "member")
        assert log.get_edited_object() == Member.objects.get(pk=pk["member"])
        member_user = User.objects.get(pk=pk["member_user"])
        assert member_user.has_perm("register.change_member")
        assert not member_user.has_perm("grids.change_member")

        # Backward: the same rows, and the content types are the previous release's again.
        executor = _migrate_to_old()
        assert set(executor.loader.applied_migrations) == set(old_nodes)
        assert _rows_kept(before)
        assert _content_types() == cts_before
        old_apps = executor.loader.project_state(old_nodes, at_end=True).apps
        old_member = old_apps.get_model("grids", "Member").objects.get(pk=pk["member"])
        assert old_member.community_id == pk["community"]
        old_wish = old_apps.get_model("wishes", "Wish").objects.get(pk=pk["wish"])
        assert old_wish.resident.pk == pk["resident"]
        old_log = old_apps.get_model("admin", "LogEntry").objects.get(pk=pk["log"])
        assert old_log.content_type.app_label == "grids"

        # And forward once more: a second upgrade of the same database is as clean as the first.
        _migrate_to_latest()
        assert _rows_kept(before)
        assert _content_types() == cts
        _assert_new_models_see(pk)
    finally:
        # Other tests share this database: leave it at the latest state whatever happened.
        _migrate_to_latest()
