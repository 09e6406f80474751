"""`Pairing.area` (the paired resident's building, by which pairings are scoped) is kept by
database triggers through every kind of write: created by the service or the ORM, moved with
the resident, moved with the household (a bulk UPDATE), given another resident."""

import pytest
from django.utils import timezone

from apps.accounts.scoping import scoped
from apps.grids import services
from apps.grids.models import Pairing
from apps.register.models import Household
from tests import factories as f


def area_of(pairing) -> int:
    return Pairing.objects.values_list("area_id", flat=True).get(pk=pairing.pk)


@pytest.mark.django_db
def test_pairing_area_follows_resident_and_household(world, leader_member, vulnerable):
    resident = vulnerable()
    pairing = services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=resident
    )
    assert pairing.area_id == area_of(pairing) == resident.household.area_id

    elsewhere = f.HouseholdFactory(area=world.building_b, room="P1")
    resident.household = elsewhere
    resident.save()
    assert area_of(pairing) == world.building_b.pk

    Household.objects.filter(pk=elsewhere.pk).update(area=world.building_a)
    assert area_of(pairing) == world.building_a.pk

    other = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b, room="P2"))
    Pairing.objects.filter(pk=pairing.pk).update(resident=other)
    assert area_of(pairing) == world.building_b.pk

    orm = Pairing.objects.create(
        helper=leader_member,
        resident=f.ResidentFactory(household=elsewhere),
        started_on=timezone.localdate(),
    )
    assert orm.area_id == area_of(orm) == world.building_a.pk


@pytest.mark.django_db
def test_pairings_are_scoped_by_their_building(world, leader_member, vulnerable):
    resident = vulnerable()
    pairing = services.pairing_create(
        actor=world.user("grid_worker"), helper=leader_member, resident=resident
    )
    assert scoped(world.user("grid_worker"), Pairing).filter(pk=pairing.pk).exists()
    assert not scoped(world.user("outsider"), Pairing).filter(pk=pairing.pk).exists()
    # the household moves out of the worker's grid: so does the pairing
    far = f.HouseholdFactory(area=world.building_b, room="P3")
    resident.household = far
    resident.save()
    assert not scoped(world.user("grid_worker"), Pairing).filter(pk=pairing.pk).exists()
