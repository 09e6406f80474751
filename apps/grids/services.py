"""Writes for responsibility groups, visits, problems, pairings and points.

The only place that changes these rows. Every service checks the actor's scope, raises an
`AppError` with a stable code on bad input and writes nothing in that case (each runs in one
transaction).
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role, RoleAssignment
from apps.accounts.scoping import CHANGE, can, has_role_over, scoped
from apps.core import workflow
from apps.core.conf import conf
from apps.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from apps.notifications import audiences
from apps.notifications.services import notify
from apps.points.services import points_award
from apps.register.models import Area, Household, Member, Resident

from . import rollups, selectors
from .models import (
    GroupHousehold,
    GroupMembership,
    Pairing,
    Problem,
    ResponsibilityGroup,
    Visit,
)

# --- responsibility groups ---------------------------------------------------------------


def _check_group_composition(
    *,
    grid: Area,
    leader: Member,
    members: list[Member],
    households: list[Household],
    group: ResponsibilityGroup | None,
):
    people = {m.pk for m in members} | {leader.pk}
    lo, hi = ResponsibilityGroup.MIN_SIZE, ResponsibilityGroup.MAX_SIZE
    if not lo <= len(people) <= hi:
        raise InvalidInput(
            _("责任组需由%(lo)d至%(hi)d名党员组成（含组长），当前%(n)d名。")
            % {"lo": lo, "hi": hi, "n": len(people)},
            code="group_size",
        )
    community_path = grid.path[: -Area.steplen]
    strangers = Member.objects.filter(pk__in=people).exclude(community__path=community_path)
    stranger = strangers.first()
    if stranger is not None:
        raise InvalidInput(
            _("党员“%(name)s”不在本社区报到，不能编入本网格的责任组。") % {"name": stranger.name},
            code="member_outside_community",
        )
    outside = [h for h in households if not h.area.path.startswith(grid.path)]
    if outside:
        raise InvalidInput(
            _("户“%(household)s”不在本网格内。") % {"household": outside[0]},
            code="household_outside_grid",
        )
    taken = GroupHousehold.objects.filter(household__in=households)
    if group is not None:
        taken = taken.exclude(group=group)
    taken = taken.select_related("household__area", "group").first()
    if taken is not None:
        raise Conflict(
            _("户“%(household)s”已由责任组“%(group)s”包片。")
            % {"household": taken.household, "group": taken.group},
            code="household_in_other_group",
        )
    return people


def _save_composition(group: ResponsibilityGroup, people: set[int], households: list[Household]):
    group.memberships.exclude(member_id__in=people).delete()
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, member_id=pk) for pk in people], ignore_conflicts=True
    )
    group.coverage.exclude(household__in=households).delete()
    have = set(group.coverage.values_list("household_id", flat=True))
    try:
        with transaction.atomic():
            GroupHousehold.objects.bulk_create(
                [GroupHousehold(group=group, household=h) for h in households if h.pk not in have]
            )
    except IntegrityError:  # another group took one of them since we checked
        raise Conflict(_("部分户已由其他责任组包片。"), code="household_in_other_group") from None


def _leader_role_sync(*, grid: Area, members: list[Member | None]) -> None:
    """The `group_leader` role at `grid` for these members' users: held exactly while they
    lead a group there (a leader of two groups keeps it when replaced in one)."""
    for member in filter(None, members):
        if not member.user_id:
            continue
        leads = ResponsibilityGroup.objects.filter(grid=grid, leader=member).exists()
        held = RoleAssignment.objects.filter(
            user_id=member.user_id, role=Role.GROUP_LEADER, area=grid, party_org=None
        )
        if leads and not held.exists():
            RoleAssignment.objects.create(user_id=member.user_id, role=Role.GROUP_LEADER, area=grid)
        elif not leads:
            held.delete()


def group_create(
    *,
    actor,
    grid: Area,
    name: str,
    leader: Member,
    members: list[Member],
    households: list[Household],
) -> ResponsibilityGroup:
    if grid.kind != Area.Kind.GRID:
        raise InvalidInput(_("责任组必须建在网格上。"), code="not_a_grid")
    if not can(actor, CHANGE, ResponsibilityGroup, area=grid):
        raise Forbidden()
    with transaction.atomic():
        people = _check_group_composition(
            grid=grid, leader=leader, members=members, households=households, group=None
        )
        group = ResponsibilityGroup.objects.create(
            grid=grid, name=name or _("%(grid)s责任组") % {"grid": grid.name}, leader=leader
        )
        _save_composition(group, people, households)
        _leader_role_sync(grid=grid, members=[leader])
    return group


def group_update(
    *,
    actor,
    group: ResponsibilityGroup,
    name: str | None = None,
    leader: Member | None = None,
    members: list[Member] | None = None,
    households: list[Household] | None = None,
) -> ResponsibilityGroup:
    if not can(actor, CHANGE, ResponsibilityGroup, area=group.grid):
        raise Forbidden()
    with transaction.atomic():
        group = ResponsibilityGroup.objects.select_for_update().get(pk=group.pk)
        previous = group.leader
        leader = leader or group.leader
        members = members if members is not None else list(group.members.all())
        if households is None:
            households = list(
                Household.objects.filter(group_coverage__group=group).select_related("area")
            )
        people = _check_group_composition(
            grid=group.grid, leader=leader, members=members, households=households, group=group
        )
        group.leader = leader
        if name:
            group.name = name
        group.save()
        _save_composition(group, people, households)
        _leader_role_sync(grid=group.grid, members=[previous, leader])
    return group


@dataclass
class ProposedGroup:
    leader: Member
    members: list[Member] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "leader": self.leader.pk,
            "members": [m.pk for m in self.members],
            "households": [h.pk for h in self.households],
        }


def group_propose(*, actor, grid: Area) -> list[ProposedGroup]:
    """Propose groups for the grid's uncovered households ("以老带新、强弱搭配").

    Members not yet in a group are taken from those living in the grid first, then from the
    rest of the grid's community. Retired members are dealt out first, then employed ones,
    each list in order of seniority and in a snake order over the groups, so every group gets
    both long-standing and recent members and both retired and employed ones. Households are
    cut into contiguous runs in building order, so a group covers neighbouring buildings.
    """
    if not can(actor, CHANGE, ResponsibilityGroup, area=grid):
        raise Forbidden()
    community = Area.objects.get(path=grid.path[: -Area.steplen])
    free = Member.objects.filter(community=community, group_memberships__isnull=True)
    near = list(free.filter(residence__path__startswith=grid.path).order_by("pk"))
    rest = list(free.exclude(residence__path__startswith=grid.path).order_by("pk"))
    households = list(
        Household.objects.filter(area__path__startswith=grid.path, group_coverage__isnull=True)
        .select_related("area")
        .order_by("area__path", "unit", "room")
    )
    if not households:
        return []
    # Enough groups for about 80 households each, but never more than members allow.
    wanted = max(1, math.ceil(len(households) / 80))
    pool = near + rest
    n_groups = min(wanted, len(pool) // ResponsibilityGroup.MIN_SIZE)
    if n_groups < 1:
        raise InvalidInput(
            _("可编组的党员不足%(n)d名。") % {"n": ResponsibilityGroup.MIN_SIZE},
            code="not_enough_members",
        )
    buckets = deal_members(pool[: n_groups * ResponsibilityGroup.MAX_SIZE], n_groups)
    proposals = []
    per = math.ceil(len(households) / n_groups)
    for k, bucket in enumerate(buckets):
        leader = min(bucket, key=_seniority)  # the most experienced member leads
        proposals.append(
            ProposedGroup(
                leader=leader,
                members=[m for m in bucket if m.pk != leader.pk],
                households=households[k * per : (k + 1) * per],
            )
        )
    return proposals


_OLDEST = dt.date(1900, 1, 1)


def _seniority(m) -> tuple:
    return (m.joined_on or _OLDEST, m.pk)


def deal_members(members: list, n_groups: int) -> list[list]:
    """Deal members into `n_groups` buckets: retired first, then the others, each in order of
    seniority and snaking over the buckets (0..n-1, n-1..0, ...), so every bucket gets both
    long-standing and recent members and both retired and employed ones."""
    retired = sorted([m for m in members if m.kind == Member.Kind.RETIRED], key=_seniority)
    others = sorted([m for m in members if m.kind != Member.Kind.RETIRED], key=_seniority)
    buckets: list[list] = [[] for _ in range(n_groups)]
    for i, m in enumerate(retired + others):
        lap, pos = divmod(i, n_groups)
        buckets[pos if lap % 2 == 0 else n_groups - 1 - pos].append(m)
    return buckets


def groups_accept(*, actor, grid: Area, proposals: list[dict]) -> list[ResponsibilityGroup]:
    """Create the (possibly edited) proposed groups, all or none."""
    try:
        proposals = [
            {
                "name": str(p.get("name") or ""),
                "leader": int(p["leader"]),
                "members": [int(pk) for pk in p.get("members", [])],
                "households": [int(pk) for pk in p.get("households", [])],
            }
            for p in proposals
        ]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput(_("编组方案格式无效。"), code="invalid_proposal") from None
    created = []
    # Ids the actor may not see are treated as ids that do not exist (no name in an error).
    members_seen, households_seen = scoped(actor, Member), scoped(actor, Household)
    with transaction.atomic():
        for k, p in enumerate(proposals, start=1):
            members = list(members_seen.filter(pk__in=p["members"]))
            leader = members_seen.filter(pk=p["leader"]).first()
            if leader is None:
                raise InvalidInput(_("请选择组长。"), code="leader_required")
            households = list(households_seen.filter(pk__in=p["households"]).select_related("area"))
            created.append(
                group_create(
                    actor=actor,
                    grid=grid,
                    name=p.get("name") or _("%(grid)s第%(n)d责任组") % {"grid": grid.name, "n": k},
                    leader=leader,
                    members=members,
                    households=households,
                )
            )
    return created


# --- visits --------------------------------------------------------------------------------


def _member_of(user) -> Member | None:
    return Member.objects.filter(user=user).first() if user and user.is_authenticated else None


def visit_log(
    *,
    actor,
    household: Household,
    visited_at: dt.datetime,
    notes: str = "",
    group: ResponsibilityGroup | None = None,
    five_clears: dict | None = None,
    problems: list[dict] | None = None,
) -> Visit:
    """Record a visit by the acting member (for `group` when given), with any problems found.

    The actor may log it when the household is in their scope, covered by their group, or
    home to a resident they are paired with. A visit to a paired resident records the five
    clears. `visited_at` is when it was made (a phone may sync it later): up to
    VISIT_CLOCK_SKEW_S ahead of now and up to VISIT_BACKDATE_DAYS back.
    """
    now = timezone.now()
    if visited_at > now + dt.timedelta(seconds=conf("VISIT_CLOCK_SKEW_S")):
        raise InvalidInput(_("走访时间不能晚于现在。"), code="visit_in_future")
    if visited_at < now - dt.timedelta(days=conf("VISIT_BACKDATE_DAYS")):
        raise InvalidInput(
            _("走访时间不能早于%(days)d天前。") % {"days": conf("VISIT_BACKDATE_DAYS")},
            code="visit_too_old",
        )
    member = _member_of(actor)
    pairing = None
    if member is not None:
        pairing = Pairing.objects.filter(
            helper=member, active=True, resident__household=household
        ).first()
    in_group = (
        member is not None
        and GroupHousehold.objects.filter(
            household=household, group__memberships__member=member
        ).exists()
    )
    visible = scoped(actor, Household).filter(pk=household.pk).exists()
    if not (visible or in_group or pairing):
        raise NotFound(_("找不到该户。"), code="household_not_found")
    if group is not None:
        in_that_group = member is not None and group.memberships.filter(member=member).exists()
        if not (in_that_group or can(actor, CHANGE, ResponsibilityGroup, area=group.grid)):
            raise Forbidden(_("您不是该责任组成员。"), code="not_group_member")
        if not group.coverage.filter(household=household).exists():
            raise InvalidInput(_("该户不在此责任组包片范围内。"), code="household_not_in_group")
    if group is None and in_group:
        group = ResponsibilityGroup.objects.filter(
            coverage__household=household, memberships__member=member
        ).first()
    if member is None and group is None:
        raise InvalidInput(_("只有党员或责任组可以登记走访。"), code="visitor_required")
    clears = {k: bool((five_clears or {}).get(k)) for k in Visit.FIVE_CLEARS}
    if any(clears.values()) and pairing is None:
        raise InvalidInput(_("“五清”只在走访结对对象时填写。"), code="five_clears_without_pairing")
    with transaction.atomic():
        visit = Visit.objects.create(
            household=household,
            area_id=household.area_id,
            member=member,
            group=group,
            pairing=pairing,
            visited_at=visited_at,
            notes=notes,
            created_by=actor,
            **clears,
        )
        rollups.visit_logged(visit)
        for p in problems or []:
            problem_report(actor=actor, household=household, visit=visit, **p)
        if member is not None:
            points_award(member=member, rule="visit_logged", source=visit)
    return visit


# --- problems ------------------------------------------------------------------------------


class AlreadyEscalated(Conflict):
    code = "already_escalated"
    default_detail = gettext_lazy("该问题已被他人上报或处理，请刷新后重试。")


def _due_at(level: int, start: dt.datetime | None = None) -> dt.datetime:
    days = conf("PROBLEM_DUE_DAYS")
    return (start or timezone.now()) + dt.timedelta(days=days[int(level)])


def problem_report(
    *,
    actor,
    household: Household | None = None,
    area: Area | None = None,
    category: str,
    title: str,
    description: str = "",
    visit: Visit | None = None,
) -> Problem:
    """A problem found on a visit or reported by a resident: starts at the building level."""
    area = household.area if household is not None else area
    if area is None or area.kind != Area.Kind.BUILDING:
        raise InvalidInput(_("请指明问题所在的楼幢或户。"), code="problem_place_required")
    if category not in Problem.Category.values:
        raise InvalidInput(_("问题类别无效。"), code="invalid_category")
    if not (title or "").strip():
        raise InvalidInput(_("请填写问题标题。"), code="title_required")
    own_home = household is not None and household.residents.filter(user=actor).exists()
    # A group leader reports for their group's households (their scope), staff anywhere
    # in their subtree.
    in_scope = (
        scoped(actor, Household).filter(pk=household.pk).exists()
        if household is not None
        else has_role_over(actor, Problem.scope.roles("view") - {Role.GROUP_LEADER}, area=area)
    )
    if visit is None and not own_home and not in_scope:
        raise Forbidden()
    with transaction.atomic():
        problem = Problem.objects.create(
            area=area,
            household=household,
            visit=visit,
            reporter=actor,
            category=category,
            title=title.strip(),
            description=description,
            due_at=_due_at(Problem.Level.BUILDING),
        )
        rollups.problem_created(problem)
        workflow.record(problem, "report", from_status="", actor=actor)
    return problem


def _notify_level(problem: Problem, event: str, *, actor=None, **context) -> None:
    """Tell the people who handle the problem at its current level (outbox, caller's tx)."""
    audience, level_context = selectors.level_notice(problem)
    notify(event, audience=audience, context={**level_context, **context}, actor=actor)


def _notify_reporter(problem: Problem, event: str, *, actor=None) -> None:
    if problem.reporter_id:
        notify(
            event,
            audience=audiences.users(problem.reporter_id),
            context={"problem": problem.pk, "title": problem.title},
            actor=actor,
        )


def _tell_new_level(problem: Problem, *, actor, note: str) -> None:
    _notify_level(problem, "problem.escalated", actor=actor, reason=note)


def _tell_reporter(problem: Problem, *, actor, note: str) -> None:
    _notify_reporter(problem, "problem.resolved", actor=actor)


# Who hears about each move (a start tells no one).
NOTICES = {"escalate": _tell_new_level, "resolve": _tell_reporter}


def _transition(
    problem: Problem,
    move: str,
    *,
    actor,
    note: str = "",
    guard: Q | None = None,
    conflict=None,
    **fields,
) -> Problem:
    """Make `move` (see `Problem.workflow`) with its history row and its notification, in
    one transaction (the caller's, when there is one)."""
    workflow.check(
        problem, move
    )  # before the block: a refusal leaves the caller's transaction usable
    before = rollups.problem_state(problem)
    with transaction.atomic(savepoint=False):
        workflow.transition(
            problem, move, actor=actor, note=note, guard=guard, conflict=conflict, **fields
        )
        rollups.problem_changed(problem, before)
        if move in NOTICES:
            NOTICES[move](problem, actor=actor, note=note)
    return problem


def _check_handler(actor, problem: Problem):
    """Staff over the problem's building handle it at their levels; a group leader only the
    building-level problems of their own group's households (their scope)."""
    roles = Problem.LEVEL_ROLES[problem.level]
    allowed = has_role_over(actor, roles - {Role.GROUP_LEADER}, area=problem.area) or (
        Role.GROUP_LEADER in roles and scoped(actor, Problem, CHANGE).filter(pk=problem.pk).exists()
    )
    if not allowed:
        raise Forbidden(
            _("您不能处理%(level)s级的问题。") % {"level": problem.get_level_display()},
            code="not_handler_at_level",
        )


def problem_start(*, actor, problem: Problem) -> Problem:
    _check_handler(actor, problem)
    return _transition(problem, "start", actor=actor)


def problem_escalate(*, actor, problem: Problem, reason: str) -> Problem:
    """Hand the problem to the next level up, with a reason; that level's people are told."""
    _check_handler(actor, problem)
    if not (reason or "").strip():
        raise InvalidInput(_("请填写上报原因。"), code="reason_required")
    if problem.level >= Problem.Level.STREET:
        raise InvalidTransition(
            _("问题已在最高层级（街道），不能再上报。"), code="escalation_past_top"
        )
    level = problem.level + 1
    # Escalated -> escalated is allowed, so the status alone does not stop two concurrent
    # escalations from both applying (and skipping a level): the UPDATE also requires the
    # level we read. The loser matches 0 rows and is told it was escalated meanwhile.
    return _transition(
        problem,
        "escalate",
        actor=actor,
        note=reason.strip(),
        guard=Q(level=problem.level),
        conflict=AlreadyEscalated,
        level=level,
        due_at=_due_at(level),
    )


def problem_resolve(*, actor, problem: Problem, resolution: str) -> Problem:
    """Resolve at the current level; that level is kept as where it was finally solved."""
    _check_handler(actor, problem)
    if not (resolution or "").strip():
        raise InvalidInput(_("请填写处理结果。"), code="resolution_required")
    with transaction.atomic():
        # Guarded by the level read, like escalate: an escalation that won meanwhile keeps
        # the status `escalated`, so the status alone would let this resolve apply too.
        _transition(
            problem,
            "resolve",
            actor=actor,
            note=resolution.strip(),
            guard=Q(level=problem.level),
            conflict=AlreadyEscalated,
            resolution=resolution.strip(),
            resolved_level=problem.level,
            resolved_at=timezone.now(),
        )
        member = _member_of(actor)
        if member is not None:
            points_award(member=member, rule="problem_resolved", source=problem)
    return problem


# --- pairings ------------------------------------------------------------------------------


def helper_limit() -> int:
    return conf("PAIRINGS_PER_HELPER")


def pairing_create(
    *, actor, helper: Member, resident: Resident, started_on: dt.date | None = None
) -> Pairing:
    """Pair a helper with a vulnerable resident.

    One active helper per resident is the database's partial unique index; the helper's limit
    is counted under a lock on the helper's member row, so two concurrent pairings for the
    same helper cannot both see "4 of 5".
    """
    area = resident.household.area
    if not can(actor, CHANGE, Pairing, area=area):
        raise Forbidden()
    if not scoped(actor, Member).filter(pk=helper.pk).exists():
        raise Forbidden(_("服务员不在您的管辖范围内。"), code="helper_out_of_scope")
    if not resident.vulnerable:
        raise InvalidInput(_("只有困难群众需要结对。"), code="resident_not_vulnerable")
    limit = helper_limit()
    try:
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=helper.pk).first()
            if Pairing.objects.filter(resident=resident, active=True).exists():
                raise Conflict(_("该居民已有结对服务员。"), code="resident_already_paired")
            if Pairing.objects.filter(helper=helper, active=True).count() >= limit:
                raise Conflict(
                    _("每名服务员最多结对%(n)d人。") % {"n": limit}, code="helper_limit_reached"
                )
            return Pairing.objects.create(
                helper=helper, resident=resident, started_on=started_on or timezone.localdate()
            )
    except IntegrityError:  # the partial unique index: another pairing won the race
        raise Conflict(_("该居民已有结对服务员。"), code="resident_already_paired") from None


def pairing_end(*, actor, pairing: Pairing) -> Pairing:
    if not can(actor, CHANGE, Pairing, area=pairing.resident.household.area):
        raise Forbidden()
    updated = Pairing.objects.filter(pk=pairing.pk, active=True).update(
        active=False, ended_on=timezone.localdate()
    )
    if not updated:
        raise InvalidTransition(_("该结对已结束。"), code="pairing_already_ended")
    pairing.refresh_from_db()
    return pairing
