import pytest

from apps.register.models import Resident
from apps.wishes import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_admin_lists_only_wishes_in_scope_and_status_is_read_only(client, world, category):
    make = services.wish_submit
    make(actor=world.user("resident"), title="海城的心愿", category=category)
    other = f.ResidentFactory(household=f.HouseholdFactory(area=world.building_b))
    make(actor=world.user("outsider"), resident=other, title="榭南的心愿", category=category)
    worker = world.user("grid_worker")
    worker.is_staff = True
    worker.save()
    client.force_login(worker)
    html = client.get("/admin/wishes/wish/").content.decode()
    assert "海城的心愿" in html and "榭南的心愿" not in html
    wish_id = Resident.objects.get(user=world.user("resident")).wishes.get().pk
    page = client.get(f"/admin/wishes/wish/{wish_id}/change/").content.decode()
    assert 'name="status"' not in page  # moves go through the services only
    assert client.get("/admin/wishes/wish/add/").status_code == 403


def test_categories_are_edited_in_the_admin_by_superusers(client, world, category):
    root = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.get("/admin/wishes/wishcategory/")
    assert response.status_code == 200
    assert "助老" in response.content.decode()
