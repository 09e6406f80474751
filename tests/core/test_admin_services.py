"""The admin's one door (apps.core.admin.ServiceAdmin): every writable admin names its
services, pages without one are read-only and refuse POSTs, configuration goes through its
small services."""

import pytest
from django.contrib import admin

from apps.core.admin import ServiceAdmin
from apps.points.models import PointsEntry, PointsRule
from apps.points.services import points_award
from apps.register.models import Member
from apps.wishes import services as wish_services
from apps.wishes.models import Wish, WishCategory
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_admin_writes_through_services_or_not_at_all():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("accounts", "auth", "authtoken", "django_celery_beat"):
            continue  # users and roles: superusers only, Django's own forms (own issue)
        assert isinstance(model_admin, ServiceAdmin), model
        if model_admin.update_service or model_admin.delete_service:
            assert model_admin.instance_name, model


def test_read_only_pages_refuse_posts_even_from_superusers(world, root):
    member = Member.objects.get(user=world.user("member"))
    entry = points_award(member=member, rule="visit_logged")
    url = f"/admin/points/pointsentry/{entry.pk}/change/"
    assert root.get(url).status_code == 200
    response = root.post(url, {"member": member.pk, "rule": entry.rule_id, "points": 999})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.points == 2
    assert root.get("/admin/points/pointsentry/add/").status_code == 403
    response = root.post(f"/admin/points/pointsentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PointsEntry.objects.filter(pk=entry.pk).exists()


def test_wish_pages_are_read_only(world, root):
    category = WishCategory.objects.get_or_create(name="助老")[0]
    wish = wish_services.wish_submit(
        actor=world.user("resident"), title="修水管", category=category
    )
    url = f"/admin/wishes/wish/{wish.pk}/change/"
    page = root.get(url)
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    response = root.post(url, {"title": "改了", "status": "published"})
    assert response.status_code == 403
    wish.refresh_from_db()
    assert wish.title == "修水管" and wish.status == Wish.Status.SUBMITTED
    assert root.post(f"/admin/wishes/wish/{wish.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.get("/admin/wishes/claim/add/").status_code == 403


def test_import_jobs_and_outbox_are_read_only(world, root):
    from apps.notifications.services import notify

    event = notify("wish.published", audience={"users": []})
    url = f"/admin/notifications/outboxevent/{event.pk}/change/"
    assert root.get(url).status_code == 200
    assert root.post(url, {"name": "x"}).status_code == 403
    assert root.post(f"/admin/notifications/outboxevent/{event.pk}/delete/").status_code == 403
    assert root.get("/admin/rosters/importjob/add/").status_code == 403


def test_points_rule_is_changed_through_its_service_and_keeps_its_code(world, root):
    rule = PointsRule.objects.get_or_create(
        code="visit_logged", defaults={"name": "走访", "points": 2}
    )[0]
    response = root.post(
        f"/admin/points/pointsrule/{rule.pk}/change/",
        {"code": "renamed", "name": "走访入户", "points": "3", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.code == "visit_logged" and rule.points == 3
    # a bad value is a form error, not a 500
    response = root.post(
        f"/admin/points/pointsrule/{rule.pk}/change/", {"name": "", "points": "3", "active": "on"}
    )
    assert response.status_code == 200
    assert root.get("/admin/points/pointsrule/add/").status_code == 403


def test_wish_category_added_and_changed_through_the_services(world, root):
    response = root.post("/admin/wishes/wishcategory/add/", {"name": "测试类别", "order": "5"})
    assert response.status_code == 302, response.content.decode()[:3000]
    category = WishCategory.objects.get(name="测试类别")
    assert category.order == 5 and not category.active
    response = root.post(
        f"/admin/wishes/wishcategory/{category.pk}/change/",
        {"name": "测试类别二", "order": "6", "active": "on"},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "测试类别二" and category.active
    # a duplicate name is refused on the form
    response = root.post("/admin/wishes/wishcategory/add/", {"name": "测试类别二", "order": "1"})
    assert response.status_code == 200
    assert WishCategory.objects.filter(name="测试类别二").count() == 1


def test_service_error_naming_a_field_is_shown_on_that_field(world, staff_client, monkeypatch):
    from apps.core.errors import InvalidInput
    from apps.register.admin import HouseholdAdmin
    from apps.register.models import Household

    def refuse(*, actor, **data):
        Household.objects.create(area=data["area"], room="rolled-back")
        raise InvalidInput("房号有误", code="bad_room", errors={"room": ["房号有误"]})

    monkeypatch.setattr(HouseholdAdmin, "create_service", staticmethod(refuse))
    response = staff_client("grid_worker").post(
        "/admin/register/household/add/",
        {
            "area": world.building_a.pk,
            "room": "1",
            "residents-TOTAL_FORMS": "0",
            "residents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "房号有误" in response.context["adminform"].form.errors["room"]
    assert not Household.objects.filter(room="rolled-back").exists()
