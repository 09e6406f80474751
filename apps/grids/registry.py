"""Writes to the register of geography and people: areas, households, residents, party
organisations, members and organisations.

Existing rows reach these services already limited to what the actor may change (the API
and admin go through `scoped(..., "change")`); the services check the *target* of a write
(the parent or node a row is created under or moved to) with `can()`, the tree rules, and
the model's own validation (`full_clean`), so every caller gets the same rules.
"""

from django.db import transaction
from django.utils.translation import gettext as _

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


@transaction.atomic
def area_create(*, actor, parent: Area | None = None, name: str, kind: str, code: str = "") -> Area:
    fields = {"name": name, "kind": kind, "code": code}
    if parent is None:
        if not actor.is_superuser:
            raise Forbidden(_("只有系统管理员可以新建顶级区域。"), code="out_of_scope")
        if kind != Area.Kind.DISTRICT:
            raise InvalidInput(_("顶级区域只能是区。"), code="invalid_kind")
        return Area.objects.add_root(fields)
    _require(actor, Area, area=parent)
    _check_area_kind(parent, kind)
    # Lock the parent: treebeard numbers the new child after the last one it reads.
    parent = Area.objects.select_for_update().get(pk=parent.pk)
    return Area.objects.add_child(parent, fields)


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
    _require(actor, Area, area=parent)
    if parent.path.startswith(area.path):
        raise InvalidInput(_("不能移动到自身或其下级之下。"), code="invalid_move")
    _check_area_kind(parent, area.kind)
    Area.objects.move(area, parent, "last-child")
    return Area.objects.get(pk=area.pk)


@transaction.atomic
def area_delete(*, actor, area: Area) -> None:
    """Only an unused leaf can go: deleting a node would silently take its subtree, its
    role assignments and everything hanging off it."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    in_use = (
        area.numchild
        or area.households.exists()
        or area.role_assignments.exists()
        or area.members.exists()
        or area.resident_members.exists()
        or area.organisations.exists()
        or area.party_orgs.exists()
    )
    if in_use:
        raise Conflict(_("该区域下还有下级区域、住户、人员或组织，不能删除。"), code="area_in_use")
    area.delete()


# Households and residents ------------------------------------------------------------------


def _check_building(actor, area: Area) -> None:
    if area.kind != Area.Kind.BUILDING:
        raise InvalidInput(_("住户必须属于某一楼幢。"), code="not_a_building")
    _require(actor, Household, area=area)


def household_create(
    *, actor, area: Area, room: str, unit: str = "", address: str = ""
) -> Household:
    _check_building(actor, area)
    if not address:
        names = [a.name for a in Area.objects.get_ancestors(area) if a.depth > 1]
        address = "".join([*names, area.name, f"{unit}单元" if unit else "", f"{room}室"])
    return _save(Household(area=area, unit=unit, room=room, address=address))


def household_update(*, actor, household: Household, **fields) -> Household:
    area = fields.get("area")
    if area is not None and area.pk != household.area_id:
        _check_building(actor, area)
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


def _check_party_parent(actor, parent: PartyOrg, kind: str, area: Area | None) -> None:
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
    fields = {"name": name, "kind": kind, "area": area}
    if parent is None:
        if not actor.is_superuser:
            raise Forbidden(_("只有系统管理员可以新建顶级党组织。"), code="out_of_scope")
        return PartyOrg.objects.add_root(fields)
    _check_party_parent(actor, parent, kind, area)
    parent = PartyOrg.objects.select_for_update().get(pk=parent.pk)
    return PartyOrg.objects.add_child(parent, fields)


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
        _check_party_parent(actor, parent, party_org.kind, None)
        PartyOrg.objects.move(party_org, parent, "last-child")
        party_org = PartyOrg.objects.get(pk=party_org.pk)
    return party_org


@transaction.atomic
def party_org_delete(*, actor, party_org: PartyOrg) -> None:
    party_org = PartyOrg.objects.select_for_update().get(pk=party_org.pk)
    if party_org.numchild or party_org.members.exists() or party_org.role_assignments.exists():
        raise Conflict(_("该党组织下还有下级组织或党员，不能删除。"), code="party_org_in_use")
    party_org.delete()


def _check_member_nodes(actor, *, branch, community, residence) -> None:
    if community.kind != Area.Kind.COMMUNITY:
        raise InvalidInput(_("报到社区必须是社区。"), code="not_a_community")
    if branch.kind not in MEMBER_BRANCH_KINDS:
        raise InvalidInput(_("党员必须属于党支部或党总支。"), code="not_a_branch")
    if residence is not None and not residence.path.startswith(community.path):
        raise InvalidInput(_("居住地必须在报到社区内。"), code="residence_outside_community")
    _require(actor, Member, area=community, party_org=branch)


def member_create(*, actor, branch: PartyOrg, community: Area, **fields) -> Member:
    _check_member_nodes(
        actor, branch=branch, community=community, residence=fields.get("residence")
    )
    return _save(Member(branch=branch, community=community), **fields)


def member_update(*, actor, member: Member, **fields) -> Member:
    nodes = {
        "branch": fields.get("branch", member.branch),
        "community": fields.get("community", member.community),
        "residence": fields.get("residence", member.residence),
    }
    if any(fields.get(k) is not None and fields[k] != getattr(member, k) for k in nodes):
        _check_member_nodes(actor, **nodes)
    return _save(member, **fields)


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
