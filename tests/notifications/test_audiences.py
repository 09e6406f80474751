import pytest

from apps.accounts.models import Role
from apps.notifications import audiences
from tests import factories as f


def resolved(audience) -> set[int]:
    return set(audiences.resolve(audience))


def test_area_members_are_the_members_whose_community_is_in_the_subtree(world):
    members_a = {world.user("member").pk, world.user("group_leader").pk}
    assert resolved(audiences.area_members(world.community_a.pk)) == members_a
    everyone = members_a | {world.user("outsider").pk}
    assert resolved(audiences.area_members(world.street.pk)) == everyone
    assert resolved(audiences.area_members(world.grid_a.pk)) == set()  # communities hold members


def test_area_role_finds_roles_held_at_the_area_or_an_ancestor(world):
    got = resolved(audiences.area_role(world.building_a.pk, Role.SECRETARY, Role.ADMINISTRATOR))
    assert got == {world.user("secretary").pk, world.user("administrator").pk}
    assert resolved(audiences.area_role(world.grid_a.pk, Role.GRID_WORKER)) == {
        world.user("grid_worker").pk
    }
    # a role held further down the tree does not reach up
    assert resolved(audiences.area_role(world.street.pk, Role.GRID_WORKER)) == set()


def test_area_role_counts_roles_held_at_a_party_org_of_the_area(world):
    juror = f.UserFactory()
    f.grant(juror, Role.SECRETARY, party_org=world.branch_a)
    assert juror.pk in resolved(audiences.area_role(world.grid_a.pk, Role.SECRETARY))


def test_users_and_any_of_list_each_active_user_once(world):
    member, secretary = world.user("member"), world.user("secretary")
    both = audiences.any_of(
        audiences.users(member.pk, secretary.pk), audiences.area_members(world.community_a.pk)
    )
    ids = list(audiences.resolve(both))
    assert sorted(ids) == ids and len(ids) == len(set(ids)) == 3
    secretary.is_active = False
    secretary.save()
    assert secretary.pk not in resolved(audiences.users(member.pk, secretary.pk))


def test_unknown_audience_kind_raises_unknown_audience(db):
    with pytest.raises(audiences.UnknownAudience):
        audiences.resolve({"kind": "everyone"})


def test_missing_area_resolves_to_nobody(db):
    assert resolved(audiences.area_members(999999)) == set()


def test_area_organisations_are_representatives_of_organisations_serving_the_area(world):
    rep, street_rep, quiet_rep, other_rep = (f.UserFactory() for _ in range(4))
    asking = f.OrganisationFactory(area=world.community_a, wish_notifications=True)
    asking.representatives.add(rep)
    street_wide = f.OrganisationFactory(area=world.street, wish_notifications=True)
    street_wide.representatives.add(street_rep)
    silent = f.OrganisationFactory(area=world.community_a, wish_notifications=False)
    silent.representatives.add(quiet_rep)
    elsewhere = f.OrganisationFactory(area=world.community_b, wish_notifications=True)
    elsewhere.representatives.add(other_rep)
    assert resolved(audiences.area_organisations(world.building_a.pk)) == {rep.pk, street_rep.pk}
    assert resolved(audiences.area_organisations(world.building_b.pk)) == {
        other_rep.pk,
        street_rep.pk,
    }
    assert resolved(audiences.area_organisations(world.street.pk)) == {street_rep.pk}


def test_other_apps_add_audience_kinds_resolved_in_the_worker(world):
    from django.db.models import Q

    @audiences.resolver("tests.secretaries_named")
    def _named(audience):
        return Q(name=audience["name"])

    try:
        audience = {"kind": "tests.secretaries_named", "name": "周书记"}
        assert resolved(audience) == {world.user("secretary").pk}
        both = audiences.any_of(audience, audiences.users(world.user("member").pk))
        assert resolved(both) == {world.user("secretary").pk, world.user("member").pk}
    finally:
        audiences._RESOLVERS.pop("tests.secretaries_named")
