"""Finding 13 (issue 13): the `group_leader` role sits at the grid, but a leader's scope is
their own group's households (and their residents, visits, problems, pairings and the
group's members), never the other groups' households of the same grid."""

import pytest
from django.utils import timezone

from apps.accounts.scoping import CHANGE, scoped
from apps.grids import services
from apps.grids.models import Pairing, Problem, Visit
from apps.register.models import Household, Member, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_group(world, make_member, households):
    """A second group in the same grid, led by someone else, covering households[4:]."""
    leader = make_member()
    return services.group_create(
        actor=world.user("secretary"),
        grid=world.grid_a,
        name="二组",
        leader=leader,
        members=[make_member(), make_member()],
        households=households[4:],
    )


def _problem(household):
    return Problem.objects.create(
        area=household.area,
        household=household,
        category="other",
        title="t",
        due_at=timezone.now(),
    )


def test_leader_sees_only_their_groups_households(world, group, other_group, households):
    leader = world.user("group_leader")
    seen = set(scoped(leader, Household).values_list("pk", flat=True))
    assert {h.pk for h in households[:4]} <= seen
    assert not seen & {h.pk for h in households[4:]}
    stray = f.HouseholdFactory(area=world.building_a, room="999")  # in the grid, in no group
    assert stray.pk not in seen


def test_leader_api_404_for_other_groups_rows(world, api, group, other_group, households):
    theirs = households[4]
    resident = f.ResidentFactory(household=theirs, elderly=True)
    problem = _problem(theirs)
    visit = Visit.objects.create(
        household=theirs,
        area=theirs.area,
        member=other_group.leader,
        visited_at=timezone.now(),
    )
    pairing = Pairing.objects.create(
        helper=other_group.leader, resident=resident, started_on="2026-01-01"
    )
    client = api.as_user(world.user("group_leader"))
    for url in (
        f"/api/households/{theirs.pk}/",
        f"/api/residents/{resident.pk}/",
        f"/api/problems/{problem.pk}/",
        f"/api/visits/{visit.pk}/",
        f"/api/pairings/{pairing.pk}/",
        f"/api/members/{other_group.leader.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    # Their own group's rows are there.
    mine = _problem(households[0])
    assert client.get(f"/api/households/{households[0].pk}/").status_code == 200
    assert client.get(f"/api/problems/{mine.pk}/").status_code == 200
    member_ids = {m.pk for m in group.members.all()}
    listed = client.get("/api/members/", {"page_size": 200}).json()["results"]
    assert member_ids <= {row["id"] for row in listed}
    assert other_group.leader.pk not in {row["id"] for row in listed}


def test_leader_handles_only_their_groups_problems(world, group, other_group, households):
    leader = world.user("group_leader")
    theirs, mine = _problem(households[4]), _problem(households[0])
    with pytest.raises(services.Forbidden):
        services.problem_start(actor=leader, problem=theirs)
    assert Problem.objects.get(pk=theirs.pk).status == Problem.Status.OPEN
    services.problem_start(actor=leader, problem=mine)
    assert Problem.objects.get(pk=mine.pk).status == Problem.Status.IN_PROGRESS
    assert not scoped(leader, Problem, CHANGE).filter(pk=theirs.pk).exists()


def test_leader_cannot_report_a_problem_for_another_groups_household(
    world, group, other_group, households
):
    leader = world.user("group_leader")
    with pytest.raises(services.Forbidden):
        services.problem_report(
            actor=leader, household=households[4], category="other", title="别组的"
        )
    services.problem_report(actor=leader, household=households[0], category="other", title="本组")
    assert list(Problem.objects.values_list("title", flat=True)) == ["本组"]


def test_leader_who_leads_no_group_sees_no_households(world):
    f.HouseholdFactory(area=world.building_a, room="1")
    leader = world.user("group_leader")
    assert not scoped(leader, Household).exclude(residents__user=leader).exists()
    assert not scoped(leader, Resident).exists()
    # ...but still the member rows they may see as a member (their own).
    assert set(scoped(leader, Member).values_list("user", flat=True)) == {leader.pk}
