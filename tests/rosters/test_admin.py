import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.register.models import Member
from apps.rosters.admin_mixins import RosterAdminMixin
from apps.rosters.resources import MemberResource

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(world):
    user = world.user("administrator")
    user.is_staff = True
    user.save()
    return user


def test_member_admin_offers_scoped_export_and_the_import_pages(client, staff_admin):
    model_admin = admin.site._registry[Member]
    assert isinstance(model_admin, RosterAdminMixin)
    client.force_login(staff_admin)
    page = client.get("/admin/register/member/").content.decode()
    assert "/rosters/?kind=members" in page and "/admin/register/member/export/" in page


def test_admin_export_resource_masks_for_the_requesting_user(world):
    model_admin = admin.site._registry[Member]
    request = RequestFactory().get("/admin/register/member/export/")
    request.user = world.user("member")
    kwargs = model_admin.get_export_resource_kwargs(request)
    assert kwargs == {"user": request.user, "request": request}
    resource = model_admin.get_export_resource_classes(request)[0](**kwargs)
    assert isinstance(resource, MemberResource)
