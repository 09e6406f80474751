"""Writes to the register of geography and people: areas, households, residents, party
organisations, members and organisations.

Existing rows reach these services already limited to what the actor may change (the API
and admin go through `scoped(..., "change")`); the services check the *target* of a write
(the parent or node a row is created under or moved to) with `can()`, the tree rules, and
the model's own validation (`full_clean`), so every caller gets the same rules.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import CHANGE, can
from apps.core.errors import Conflict, Forbidden, InvalidInput

from .models import Area, Household, Member, Organisation, PartyOrg, Resident

PARTY_KIND_ORDER = list(PartyOrg.Kind.values)  # working committee … group, top down
MEMBER_BRANCH_KINDS = {PartyOrg.Kind.GENERAL_BRANCH, PartyOrg.Kind.BRANCH}


def _require(actor, model, *, area=None, party_org=None) -> None:
    if not can(actor, CHANGE, model, area=area, party_org=party_org):
        raise Forbidden(_("目标节点不在您的管辖范围内。"), code="out_of_scope")


def _save(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def _tree_add(model, parent, fields: dict):
    # treebeard's add_child locks the parent row (select_for_update) before numbering the
    # new child, so callers must be in a transaction (tests/grids/test_concurrency.py).
    if parent is None:
        return model.objects.add_root(fields)
    return model.objects.add_child(parent, fields)


def area_kind_below(kind: str) -> str | None:
    order = Area.KIND_ORDER
    index = order.index(kind)
    return order[index + 1] if index + 1 < len(order) else None


def _check_area_kind(parent: Area, kind: str) -> None:
    expected = area_kind_below(parent.kind)
    if kind != expected:
        if expected is None:
            detail = _("楼幢下不能再建下级区域。")
        else:
            detail = _("“%(parent)s”的下级只能是%(kind)s。") % {
                "parent": parent.name,
                "kind": Area.Kind(expected).label,
            }
        raise InvalidInput(detail, code="invalid_kind")


# Areas -----------------------------------------------------------------------------------


def area_parent_check(*, actor, parent: Area | None, kind: str) -> None:
    """May `actor` put an area of `kind` under `parent` (None: a new root)?"""
    if parent is None:
        if not actor.is_superuser:
            raise Forbidden(_("只有系统管理员可以新建顶级区域。"), code="out_of_scope")
        if kind != Area.Kind.DISTRICT:
            raise InvalidInput(_("顶级区域只能是区。"), code="invalid_kind")
        return
    _require(actor, Area, area=parent)
    _check_area_kind(parent, kind)


@transaction.atomic
def area_create(*, actor, parent: Area | None = None, name: str, kind: str, code: str = "") -> Area:
    area_parent_check(actor=actor, parent=parent, kind=kind)
    return _tree_add(Area, parent, {"name": name, "kind": kind, "code": code})


@transaction.atomic
def area_update(*, actor, area: Area, parent: Area | None = None, **fields) -> Area:
    if "kind" in fields and fields["kind"] != area.kind:
        raise InvalidInput(_("区域类型创建后不能修改。"), code="kind_immutable")
    fields.pop("kind", None)
    _save(area, **fields)
    if parent is not None and not (
        area.path.startswith(parent.path) and area.depth == parent.depth + 1
    ):
        area = area_move(actor=actor, area=area, parent=parent)
    return area


@transaction.atomic
def area_move(*, actor, area: Area, parent: Area) -> Area:
    """Move `area` (with its subtree) under `parent`, which must be of the same kind as its
    current parent (a grid moves to another community, a building to another grid)."""
    if parent.path.startswith(area.path):
        raise InvalidInput(_("不能移动到自身或其下级之下。"), code="invalid_move")
    area_parent_check(actor=actor, parent=parent, kind=area.kind)
    Area.objects.move(area, parent, "last-child")
    return Area.objects.get(pk=area.pk)


def area_in_use(area: Area) -> bool:
    return bool(
        area.numchild
        or area.households.exists()
        or area.role_assignments.exists()
        or area.members.exists()
        or area.resident_members.exists()
        or area.organisations.exists()
        or area.party_orgs.exists()
    )


@transaction.atomic
def area_delete(*, actor, area: Area) -> None:
    """Only an unused leaf can go: deleting a node would silently take its subtree, its
    role assignments and everything hanging off it."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    if area_in_use(area):
        raise Conflict(_("该区域下还有下级区域、住户、人员或组织，不能删除。"), code="area_in_use")
    area.delete()


# Households and residents ------------------------------------------------------------------


def household_area_check(*, actor, area: Area) -> None:
    if area.kind != Area.Kind.BUILDING:
        raise InvalidInput(_("住户必须属于某一楼幢。"), code="not_a_building")
    _require(actor, Household, area=area)


def household_create(
    *, actor, area: Area, room: str, unit: str = "", address: str = ""
) -> Household:
    household_area_check(actor=actor, area=area)
    if not address:
        names = [a.name for a in Area.objects.get_ancestors(area) if a.depth > 1]
        address = "".join([*names, area.name, f"{unit}单元" if unit else "", f"{room}室"])
    return _save(Household(area=area, unit=unit, room=room, address=address))


def household_update(*, actor, household: Household, **fields) -> Household:
    area = fields.get("area")
    if area is not None and area.pk != household.area_id:
        household_area_check(actor=actor, area=area)
    return _save(household, **fields)


def household_delete(*, actor, household: Household) -> None:
    if household.residents.exists():
        raise Conflict(_("该户还有居民，不能删除。"), code="household_not_empty")
    household.delete()


def resident_create(*, actor, household: Household, **fields) -> Resident:
    _require(actor, Resident, area=household.area)
    return _save(Resident(household=household), **fields)


def resident_update(*, actor, resident: Resident, **fields) -> Resident:
    household = fields.get("household")
    if household is not None and household.pk != resident.household_id:
        _require(actor, Resident, area=household.area)
    return _save(resident, **fields)


# Party organisations and members -------------------------------------------------------------


def party_org_parent_check(
    *, actor, parent: PartyOrg | None, kind: str, area: Area | None = None
) -> None:
    """May `actor` put a party organisation of `kind` (at `area`) under `parent`?"""
    if parent is None:
        if not actor.is_superuser:
            raise Forbidden(_("只有系统管理员可以新建顶级党组织。"), code="out_of_scope")
        return
    _require(actor, PartyOrg, party_org=parent, area=parent.area)
    if area is not None:
        _require(actor, PartyOrg, area=area)
    if PARTY_KIND_ORDER.index(kind) <= PARTY_KIND_ORDER.index(parent.kind):
        raise InvalidInput(
            _("“%(parent)s”的下级党组织级别必须低于%(kind)s。")
            % {"parent": parent.name, "kind": PartyOrg.Kind(parent.kind).label},
            code="invalid_kind",
        )


@transaction.atomic
def party_org_create(
    *, actor, parent: PartyOrg | None = None, name: str, kind: str, area: Area | None = None
) -> PartyOrg:
    party_org_parent_check(actor=actor, parent=parent, kind=kind, area=area)
    return _tree_add(PartyOrg, parent, {"name": name, "kind": kind, "area": area})


@transaction.atomic
def party_org_update(*, actor, party_org: PartyOrg, parent: PartyOrg | None = None, **fields):
    if "area" in fields and fields["area"] is not None and fields["area"] != party_org.area:
        _require(actor, PartyOrg, area=fields["area"])
    _save(party_org, **fields)
    if parent is not None and not (
        party_org.path.startswith(parent.path) and party_org.depth == parent.depth + 1
    ):
        if parent.path.startswith(party_org.path):
            raise InvalidInput(_("不能移动到自身或其下级之下。"), code="invalid_move")
        party_org_parent_check(actor=actor, parent=parent, kind=party_org.kind)
        PartyOrg.objects.move(party_org, parent, "last-child")
        party_org = PartyOrg.objects.get(pk=party_org.pk)
    return party_org


def party_org_in_use(party_org: PartyOrg) -> bool:
    return bool(
        party_org.numchild or party_org.members.exists() or party_org.role_assignments.exists()
    )


@transaction.atomic
def party_org_delete(*, actor, party_org: PartyOrg) -> None:
    party_org = PartyOrg.objects.select_for_update().get(pk=party_org.pk)
    if party_org_in_use(party_org):
        raise Conflict(_("该党组织下还有下级组织或党员，不能删除。"), code="party_org_in_use")
    party_org.delete()


def member_nodes_check(*, actor, branch, community, residence) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise InvalidInput(_("报到社区必须是社区。"), code="not_a_community")
    if branch.kind not in MEMBER_BRANCH_KINDS:
        raise InvalidInput(_("党员必须属于党支部或党总支。"), code="not_a_branch")
    if residence is not None and not residence.path.startswith(community.path):
        raise InvalidInput(_("居住地必须在报到社区内。"), code="residence_outside_community")
    _require(actor, Member, area=community, party_org=branch)


def _member_role_sync(member: Member, *, old_user_id=None, old_community_id=None) -> None:
    """A member's login holds the member role at their home community, and only there:
    that is what lets them see and claim what is published in scope."""
    if old_user_id is not None:
        RoleAssignment.objects.filter(
            user_id=old_user_id, role=Role.MEMBER, area_id=old_community_id
        ).delete()
    if member.user_id is not None and member.kind != Member.Kind.ACTIVIST:
        RoleAssignment.objects.get_or_create(
            user_id=member.user_id, role=Role.MEMBER, area_id=member.community_id
        )


@transaction.atomic
def member_create(*, actor, branch: PartyOrg, community: Area, **fields) -> Member:
    member_nodes_check(
        actor=actor, branch=branch, community=community, residence=fields.get("residence")
    )
    member = _save(Member(branch=branch, community=community), **fields)
    _member_role_sync(member)
    return member


@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    nodes = {
        "branch": fields.get("branch", member.branch),
        "community": fields.get("community", member.community),
        "residence": fields.get("residence", member.residence),
    }
    if any(fields.get(k) is not None and fields[k] != getattr(member, k) for k in nodes):
        member_nodes_check(actor=actor, **nodes)
    old_user_id, old_community_id = member.user_id, member.community_id
    _save(member, **fields)
    _member_role_sync(member, old_user_id=old_user_id, old_community_id=old_community_id)
    return member


@transaction.atomic
def member_delete(*, actor, member: Member) -> None:
    if member.user_id is not None:
        _member_role_sync(
            Member(user=None), old_user_id=member.user_id, old_community_id=member.community_id
        )
    member.delete()


# Organisations ---------------------------------------------------------------------------------


def organisation_create(*, actor, area: Area, representatives=(), **fields) -> Organisation:
    _require(actor, Organisation, area=area)
    with transaction.atomic():
        organisation = _save(Organisation(area=area), **fields)
        organisation.representatives.set(representatives)
    return organisation


def organisation_update(
    *, actor, organisation: Organisation, representatives=None, **fields
) -> Organisation:
    area = fields.get("area")
    if area is not None and area.pk != organisation.area_id:
        _require(actor, Organisation, area=area)
    with transaction.atomic():
        _save(organisation, **fields)
        if representatives is not None:
            organisation.representatives.set(representatives)
    return organisation
