import hashlib
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from apps.accounts.models import Role, RoleAssignment, User
from apps.accounts.scoping import scoped
from apps.register.demo import DEMO_PASSWORD
from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _digest() -> str:
    rows = Resident.objects.order_by("household__area__path", "household__room", "name")
    text = "|".join(
        f"{r.household.address}/{r.name}/{r.id_number}/{r.phone}/{r.vulnerable}"
        for r in rows.select_related("household")
    )
    members = "|".join(Member.objects.order_by("id_number").values_list("name", flat=True))
    return hashlib.sha256((text + members).encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_builds_daxie_and_is_deterministic():
    _seed()
    assert Area.objects.filter(kind=Area.Kind.COMMUNITY).count() == 16
    assert 9_500 <= Household.objects.count() <= 10_500
    assert Resident.objects.filter(vulnerable=True).exists()
    assert Resident.objects.exclude(vulnerable=True).exists()
    assert set(Member.objects.values_list("kind", flat=True)) == set(Member.Kind.values)
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH).count() > 16
    for model in (Area, PartyOrg):
        assert not any(model.objects.find_problems())
    # every generated ID number and phone passes the model validators
    for resident in Resident.objects.exclude(id_number="")[:300]:
        resident.full_clean()
    first = _digest()

    call_command("flush", "--noinput", verbosity=0)
    _seed()
    assert _digest() == first


@pytest.mark.django_db(transaction=True)
def test_demo_logins_work_and_hold_their_roles():
    _seed()
    for username in (
        "resident",
        "member",
        "group_leader",
        "grid_worker",
        "secretary",
        "administrator",
        "juror",
        "root",
        "13900000001",
    ):
        assert authenticate(username=username, password=DEMO_PASSWORD), username
    assert User.objects.get(username="root").is_superuser
    assert User.objects.get(username="resident").resident.household
    assert User.objects.get(username="member").member.community.kind == Area.Kind.COMMUNITY
    leader = User.objects.get(username="group_leader")
    assert RoleAssignment.objects.filter(user=leader, role=Role.GROUP_LEADER).exists()
    worker = User.objects.get(username="grid_worker")
    # a grid worker sees their grid's ~300 households, not the street's 10,000
    assert 200 <= scoped(worker, Household).count() <= 400
    admin = User.objects.get(username="administrator")
    assert scoped(admin, Household).count() == Household.objects.count()


@pytest.mark.django_db
def test_if_empty_skips_and_a_second_seed_is_refused(world):
    assert "nothing to do" in _seed("--if-empty")
    with pytest.raises(CommandError):
        _seed()
