import datetime as dt

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from apps.grids import services
from apps.grids.models import (
    GroupHousehold,
    Pairing,
    Problem,
    ProblemEvent,
    ResponsibilityGroup,
    Visit,
)
from apps.notifications.models import OutboxEvent
from apps.points.models import PointsEntry
from apps.points.services import points_award
from apps.register.models import Member

pytestmark = pytest.mark.django_db


# --- groups --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 6])
def test_group_of_wrong_size_is_rejected_and_nothing_written(
    world, make_member, households, leader_member, size
):
    others = [make_member() for _ in range(size - 1)]
    with pytest.raises(InvalidInput) as exc:
        services.group_create(
            actor=world.user("secretary"),
            grid=world.grid_a,
            name="x",
            leader=leader_member,
            members=others,
            households=households[:2],
        )
    assert exc.value.code == "group_size"
    assert not ResponsibilityGroup.objects.exists()


def test_group_counts_the_leader_once(world, make_member, households, leader_member):
    group = services.group_create(
        actor=world.user("secretary"),
        grid=world.grid_a,
        name="x",
        leader=leader_member,
        members=[leader_member, make_member(), make_member()],
        households=households[:1],
    )
    assert group.memberships.count() == 3


def test_household_in_two_groups_is_a_conflict(world, group, make_member, households):
    with pytest.raises(Conflict) as exc:
        services.group_create(
            actor=world.user("secretary"),
            grid=world.grid_a,
            name="二组",
            leader=make_member(),
            members=[make_member(), make_member()],
            households=[households[0], households[5]],
        )
    assert exc.value.code == "household_in_other_group"
    assert ResponsibilityGroup.objects.count() == 1
    assert GroupHousehold.objects.filter(household=households[5]).count() == 0


def test_household_outside_grid_is_rejected(world, make_member, leader_member):
    from tests import factories as f

    elsewhere = f.HouseholdFactory(area=world.building_b)
    with pytest.raises(InvalidInput) as exc:
        services.group_create(
            actor=world.user("secretary"),
            grid=world.grid_a,
            name="x",
            leader=leader_member,
            members=[make_member(), make_member()],
            households=[elsewhere],
        )
    assert exc.value.code == "household_outside_grid"


def test_outsider_cannot_create_group_in_another_community(
    world, make_member, households, leader_member
):
    with pytest.raises(Forbidden):
        services.group_create(
            actor=world.user("outsider"),
            grid=world.grid_a,
            name="x",
            leader=leader_member,
            members=[make_member(), make_member()],
            households=households,
        )


def test_group_update_rejects_six_and_keeps_old_members(world, group, make_member):
    before = set(group.memberships.values_list("member_id", flat=True))
    with pytest.raises(InvalidInput):
        services.group_update(
            actor=world.user("secretary"),
            group=group,
            members=[make_member() for _ in range(5)],
        )
    assert set(group.memberships.values_list("member_id", flat=True)) == before


def test_proposal_mixes_old_and_new_retired_and_employed(world, make_member, households):
    Member.objects.filter(joined_on__isnull=True).update(joined_on=dt.date(2010, 1, 1))
    for year in (1985, 1990, 1995):
        make_member(kind=Member.Kind.RETIRED, joined=year)
    for year in (2018, 2021, 2023):
        make_member(kind=Member.Kind.EMPLOYED, joined=year)
    from tests import factories as f

    for i in range(150):  # enough households for two groups
        f.HouseholdFactory(area=world.building_a, room=f"9{i:03d}")
    proposal = services.group_propose(actor=world.user("secretary"), grid=world.grid_a)
    assert len(proposal) == 2
    for p in proposal:
        people = [p.leader, *p.members]
        assert 3 <= len(people) <= 5
        kinds = {m.kind for m in people}
        assert {Member.Kind.RETIRED, Member.Kind.EMPLOYED} <= kinds
        years = sorted(m.joined_on.year for m in people)
        assert years[0] < 2000 and years[-1] > 2015
        assert p.leader.joined_on == min(m.joined_on for m in people)
    covered = [h.pk for p in proposal for h in p.households]
    assert len(covered) == len(set(covered)) == 157  # + the world's own household
    groups = services.groups_accept(
        actor=world.user("secretary"),
        grid=world.grid_a,
        proposals=[p.as_dict() for p in proposal],
    )
    assert len(groups) == 2
    assert GroupHousehold.objects.count() == 157


def test_proposal_without_enough_members_says_so(world, households):
    Member.objects.all().delete()
    with pytest.raises(InvalidInput) as exc:
        services.group_propose(actor=world.user("secretary"), grid=world.grid_a)
    assert exc.value.code == "not_enough_members"


# --- visits and problems -------------------------------------------------------------------


def test_visit_in_the_future_is_rejected(world, group, households):
    with pytest.raises(InvalidInput) as exc:
        services.visit_log(
            actor=world.user("group_leader"),
            household=households[0],
            visited_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert exc.value.code == "visit_in_future"
    assert not Visit.objects.exists()


def test_visit_with_problem_awards_points_once(world, group, households, leader_member):
    visit = services.visit_log(
        actor=world.user("group_leader"),
        household=households[0],
        visited_at=timezone.now(),
        notes="ok",
        problems=[{"category": "facility", "title": "楼道灯坏了"}],
    )
    assert visit.group == group and visit.member == leader_member
    problem = Problem.objects.get()
    assert problem.visit == visit and problem.level == Problem.Level.BUILDING
    assert problem.status == Problem.Status.OPEN
    assert PointsEntry.objects.filter(member=leader_member, rule__code="visit_logged").count() == 1
    assert points_award(member=leader_member, rule="visit_logged", source=visit) is None
    assert PointsEntry.objects.count() == 1


def test_five_clears_only_on_a_visit_to_a_paired_resident(world, group, households):
    with pytest.raises(InvalidInput) as exc:
        services.visit_log(
            actor=world.user("group_leader"),
            household=households[0],
            visited_at=timezone.now(),
            five_clears={"situation_clear": True},
        )
    assert exc.value.code == "five_clears_without_pairing"


def test_visit_to_paired_resident_links_the_pairing(world, vulnerable, leader_member):
    resident = vulnerable()
    pairing = services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=resident
    )
    visit = services.visit_log(
        actor=world.user("group_leader"),
        household=resident.household,
        visited_at=timezone.now(),
        five_clears=dict.fromkeys(Visit.FIVE_CLEARS, True),
    )
    assert visit.pairing == pairing and visit.done_clear


def test_outsider_cannot_visit_household_outside_scope(world, households):
    from apps.core.errors import NotFound

    with pytest.raises(NotFound):
        services.visit_log(
            actor=world.user("outsider"), household=households[0], visited_at=timezone.now()
        )


def _problem(world, household):
    from tests import factories as f

    f.cover(household, world.user("group_leader"))  # the leader's scope: their group's
    return services.problem_report(
        actor=world.user("group_leader"), household=household, category="dispute", title="噪音"
    )


def test_escalation_climbs_one_level_notifies_and_keeps_history(world, households):
    problem = _problem(world, households[0])
    problem = services.problem_escalate(
        actor=world.user("group_leader"), problem=problem, reason="需要物业协调"
    )
    assert problem.level == Problem.Level.GRID and problem.status == Problem.Status.ESCALATED
    event = OutboxEvent.objects.get(name="problem.escalated")
    assert event.audience == {
        "kind": "area_role",
        "area": world.building_a.pk,
        "roles": ["grid_worker"],
    }
    assert list(problem.events.values_list("to_status", flat=True)) == ["open", "escalated"]


def test_leader_cannot_act_at_grid_level(world, households):
    problem = _problem(world, households[0])
    problem = services.problem_escalate(
        actor=world.user("group_leader"), problem=problem, reason="r"
    )
    with pytest.raises(Forbidden) as exc:
        services.problem_resolve(
            actor=world.user("group_leader"), problem=problem, resolution="done"
        )
    assert exc.value.code == "not_handler_at_level"


def test_escalation_past_the_street_is_a_409_with_code(world, households):
    problem = _problem(world, households[0])
    for _ in range(3):
        problem = services.problem_escalate(
            actor=world.user("administrator"), problem=problem, reason="r"
        )
    assert problem.level == Problem.Level.STREET
    events_before = ProblemEvent.objects.count()
    with pytest.raises(InvalidTransition) as exc:
        services.problem_escalate(actor=world.user("administrator"), problem=problem, reason="r")
    assert exc.value.code == "escalation_past_top" and exc.value.status_code == 409
    assert ProblemEvent.objects.count() == events_before


def test_resolve_keeps_level_and_resolved_problem_cannot_move(world, households):
    problem = _problem(world, households[0])
    problem = services.problem_escalate(
        actor=world.user("group_leader"), problem=problem, reason="r"
    )
    problem = services.problem_resolve(
        actor=world.user("secretary"), problem=problem, resolution="已协调"
    )
    assert problem.resolved_level == Problem.Level.GRID and problem.resolved_at
    with pytest.raises(InvalidTransition):
        services.problem_start(actor=world.user("secretary"), problem=problem)
    with pytest.raises(InvalidInput) as exc:
        services.problem_resolve(
            actor=world.user("secretary"), problem=_problem(world, households[1]), resolution=" "
        )
    assert exc.value.code == "resolution_required"


def _overdue_job():
    from apps.notifications.reminding import registered

    return registered()["grids.problem_overdue"]


def test_overdue_reminder_is_sent_once_per_level(world, households):
    from apps.notifications.reminding import reminder_run

    problem = _problem(world, households[0])
    later = timezone.now() + dt.timedelta(days=4)
    assert problem.due_at < later
    assert reminder_run(_overdue_job(), now=later) == 1
    assert reminder_run(_overdue_job(), now=later + dt.timedelta(days=1)) == 0
    event = OutboxEvent.objects.get(name="problem.overdue")
    assert event.context["problem"] == problem.pk
    assert event.audience["area"] == problem.area_id
    assert event.audience["roles"] == sorted(Problem.NOTIFY_ROLES[Problem.Level.BUILDING])


def test_overdue_reminder_is_sent_again_after_escalation(world, households):
    from apps.notifications.models import ReminderSent
    from apps.notifications.reminding import reminder_run

    problem = _problem(world, households[0])
    later = timezone.now() + dt.timedelta(days=4)
    assert reminder_run(_overdue_job(), now=later) == 1
    problem = services.problem_escalate(
        actor=world.user("group_leader"), problem=problem, reason="r"
    )
    assert reminder_run(_overdue_job(), now=later) == 0  # the grid level's due date is ahead
    much_later = problem.due_at + dt.timedelta(hours=1)
    assert reminder_run(_overdue_job(), now=much_later) == 1
    assert reminder_run(_overdue_job(), now=much_later) == 0
    keys = ReminderSent.objects.filter(reminder="grids.problem_overdue")
    assert sorted(keys.values_list("object_key", flat=True)) == [
        f"{problem.pk}:{Problem.Level.BUILDING}",
        f"{problem.pk}:{Problem.Level.GRID}",
    ]
    levels = OutboxEvent.objects.filter(name="problem.overdue").order_by("pk")
    assert [e.context["level"] for e in levels] == ["楼幢", "网格"]


def test_resolved_problem_is_not_reminded(world, households):
    from apps.notifications.reminding import reminder_run

    problem = _problem(world, households[0])
    services.problem_resolve(actor=world.user("group_leader"), problem=problem, resolution="ok")
    assert reminder_run(_overdue_job(), now=timezone.now() + dt.timedelta(days=40)) == 0


# --- pairings ------------------------------------------------------------------------------


def test_second_active_helper_is_rejected(world, vulnerable, make_member):
    resident = vulnerable()
    services.pairing_create(
        actor=world.user("grid_worker"), helper=make_member(), resident=resident
    )
    with pytest.raises(Conflict) as exc:
        services.pairing_create(
            actor=world.user("grid_worker"), helper=make_member(), resident=resident
        )
    assert exc.value.code == "resident_already_paired"
    assert Pairing.objects.count() == 1


def test_database_refuses_a_second_active_pairing(world, vulnerable, make_member):
    from django.db import IntegrityError, transaction

    resident = vulnerable()
    Pairing.objects.create(helper=make_member(), resident=resident, started_on=dt.date.today())
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(helper=make_member(), resident=resident, started_on=dt.date.today())


def test_sixth_pairing_for_a_helper_is_rejected(world, vulnerable, make_member):
    helper = make_member()
    for _ in range(5):
        services.pairing_create(
            actor=world.user("grid_worker"), helper=helper, resident=vulnerable()
        )
    with pytest.raises(Conflict) as exc:
        services.pairing_create(
            actor=world.user("grid_worker"), helper=helper, resident=vulnerable()
        )
    assert exc.value.code == "helper_limit_reached"
    assert Pairing.objects.filter(helper=helper).count() == 5


def test_helper_limit_is_configurable(world, vulnerable, make_member, settings):
    settings.TONGXIN = {**settings.TONGXIN, "PAIRINGS_PER_HELPER": 1}
    helper = make_member()
    services.pairing_create(actor=world.user("grid_worker"), helper=helper, resident=vulnerable())
    with pytest.raises(Conflict):
        services.pairing_create(
            actor=world.user("grid_worker"), helper=helper, resident=vulnerable()
        )


def test_resident_without_hardship_is_not_paired(world, vulnerable, make_member):
    with pytest.raises(InvalidInput) as exc:
        services.pairing_create(
            actor=world.user("grid_worker"),
            helper=make_member(),
            resident=vulnerable(low_income=False, elderly=False),
        )
    assert exc.value.code == "resident_not_vulnerable"


def test_ended_pairing_frees_the_resident(world, vulnerable, make_member):
    resident = vulnerable()
    first = services.pairing_create(
        actor=world.user("grid_worker"), helper=make_member(), resident=resident
    )
    services.pairing_end(actor=world.user("grid_worker"), pairing=first)
    services.pairing_create(
        actor=world.user("grid_worker"), helper=make_member(), resident=resident
    )
    assert Pairing.objects.filter(resident=resident, active=True).count() == 1


def test_monthly_reminder_is_idempotent_and_waits_for_the_reminder_day(
    world, vulnerable, leader_member
):
    from apps.notifications.quiet import SHANGHAI
    from apps.notifications.reminding import registered, reminder_run

    services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=vulnerable()
    )
    job = registered()["grids.pairing_unvisited"]
    today = timezone.localdate()
    early = dt.datetime(today.year, today.month, 5, 10, tzinfo=SHANGHAI)
    late = dt.datetime(today.year, today.month, 25, 10, tzinfo=SHANGHAI)
    assert reminder_run(job, now=early) == 0
    assert reminder_run(job, now=late) == 1
    assert reminder_run(job, now=late) == 0
    event = OutboxEvent.objects.get(name="pairing.unvisited")
    assert event.audience["ids"] == [world.user("group_leader").pk]
    assert event.context["count"] == 1


def test_visit_for_someone_elses_group_is_refused(world, group, households):
    from tests import factories as f

    resident = f.ResidentFactory(household=households[0], lives_alone=True)
    helper = Member.objects.get(user=world.user("member"))
    services.pairing_create(actor=world.user("grid_worker"), helper=helper, resident=resident)
    with pytest.raises(Forbidden) as exc:
        services.visit_log(
            actor=world.user("member"),
            household=households[0],
            visited_at=timezone.now(),
            group=group,
        )
    assert exc.value.code == "not_group_member"
    with pytest.raises(InvalidInput) as exc:  # (for the leader households[5] is out of scope)
        services.visit_log(
            actor=world.user("secretary"),
            household=households[5],
            visited_at=timezone.now(),
            group=group,
        )
    assert exc.value.code == "household_not_in_group"
    assert not Visit.objects.exists()


def test_member_of_another_community_cannot_join_the_group(
    world, make_member, households, leader_member
):
    stranger = make_member(community=world.community_b, residence=world.building_b)
    with pytest.raises(InvalidInput) as exc:
        services.group_create(
            actor=world.user("secretary"),
            grid=world.grid_a,
            name="x",
            leader=leader_member,
            members=[make_member(), stranger],
            households=households[:1],
        )
    assert exc.value.code == "member_outside_community"
    assert not ResponsibilityGroup.objects.exists()


def test_helper_must_be_in_the_actors_scope(world, vulnerable, make_member):
    far_away = make_member(community=world.community_b, residence=world.building_b)
    with pytest.raises(Forbidden) as exc:
        services.pairing_create(
            actor=world.user("grid_worker"), helper=far_away, resident=vulnerable()
        )
    assert exc.value.code == "helper_out_of_scope"
    assert not Pairing.objects.exists()
    neighbour = make_member(residence=world.building_a)  # lives in the worker's grid
    pairing = services.pairing_create(
        actor=world.user("grid_worker"), helper=neighbour, resident=vulnerable()
    )
    assert pairing.helper == neighbour
