"""Issue 13, finding 6: the admin's raw-id widgets and autocomplete print no name from
outside the user's scope (every admin lookup goes through `scoped()`, in ScopedAdmin)."""

import pytest

from apps.register.models import Member, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_resident(world):
    household = f.HouseholdFactory(area=world.building_b, room="808")
    return f.ResidentFactory(household=household, name="远方客", elderly=True)


def test_pairing_add_does_not_label_a_resident_from_outside_the_scope(
    staff_client, world, far_resident
):
    client = staff_client("grid_worker")
    page = client.get(f"/admin/grids/pairing/add/?resident={far_resident.pk}")
    assert page.status_code == 200
    assert "远方客" not in page.content.decode()


def test_pairing_add_labels_a_member_in_scope_but_not_one_outside(staff_client, world):
    client = staff_client("grid_worker")
    mine = Member.objects.get(user=world.user("member"))
    far = Member.objects.get(user=world.user("outsider"))
    page = client.get(f"/admin/grids/pairing/add/?helper={mine.pk}").content.decode()
    assert "李建国" in page
    page = client.get(f"/admin/grids/pairing/add/?helper={far.pk}").content.decode()
    assert "孙外人" not in page


def test_resident_change_does_not_label_the_login_of_a_user(staff_client, world):
    client = staff_client("grid_worker")
    other = world.user("outsider")
    page = client.get(f"/admin/register/resident/add/?user={other.pk}")
    assert page.status_code == 200
    assert "孙外人" not in page.content.decode()


def test_admin_search_finds_personal_names_only_where_the_user_sees_them(world):
    from django.contrib import admin

    from apps.register.admin import ResidentAdmin

    model_admin = ResidentAdmin(Resident, admin.site)
    for role, expected in (("group_leader", False), ("grid_worker", True)):
        request = type("R", (), {"user": world.user(role), "GET": {}})
        queryset = model_admin.get_queryset(request)
        found, _ = model_admin.get_search_results(request, queryset, "王秀梅")
        assert found.exists() is expected, role
