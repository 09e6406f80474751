import datetime as dt

import pytest

from apps.core.errors import AppError
from apps.register.models import Member
from apps.volunteers import services
from apps.volunteers.models import Certificate

from .conftest import shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(world, make_activity):
    occ = make_activity(hours=2).occurrences.get()
    services.signup_create(actor=world.user("member"), occurrence=occ)
    occ = shift(occ, by=-dt.timedelta(days=2, minutes=5))
    record = services.checkin(
        actor=world.user("member"), occurrence=occ, token=services.checkin_token(occurrence=occ)
    )
    return services.record_confirm(actor=world.user("secretary"), record=record)


def test_certificate_has_the_required_fields(world, confirmed):
    member = Member.objects.get(user=world.user("member"))
    member.id_number = "330206199001011234"
    member.save()
    cert = services.certificate_issue(actor=world.user("member"), member=member)
    assert cert.serial.startswith("ZYZM") and cert.verify_code
    assert cert.id_number_masked == "330***********1234"
    assert str(cert.total_hours) == "2.00" and cert.lines[0]["content"] == "温暖星期五"
    assert cert.organisation == world.community_a.name and cert.responsible == "周书记"


def test_certificate_for_someone_else_is_refused(world, confirmed):
    member = Member.objects.get(user=world.user("member"))
    with pytest.raises(AppError) as exc:
        services.certificate_issue(actor=world.user("group_leader"), member=member)
    assert exc.value.code == "not_own_certificate"
    assert not Certificate.objects.exists()


def test_public_verify_page_shows_only_the_masked_name(world, client, api, confirmed):
    member = Member.objects.get(user=world.user("member"))
    cert = services.certificate_issue(actor=world.user("member"), member=member)
    page = client.get(f"/volunteers/certificates/verify/{cert.verify_code}/").content.decode()
    assert "李*国" in page and "李建国" not in page and cert.serial in page
    assert client.get("/volunteers/certificates/verify/nope/").status_code == 404
    r = api.get(f"/api/volunteer-certificates/verify/{cert.verify_code}/")
    assert r.status_code == 200 and r.json()["name"] == "李*国"


def test_certificate_page_and_api(world, client, api, confirmed):
    r = api.as_user(world.user("member")).post("/api/volunteer-certificates/", {})
    assert r.status_code == 201 and r.json()["total_hours"] == "2.00"
    client.force_login(world.user("member"))
    page = client.get(f"/volunteers/certificates/{r.json()['id']}/").content.decode()
    assert "<svg" in page and "志愿服务记录证明" in page
    client.force_login(world.user("outsider"))
    assert client.get(f"/volunteers/certificates/{r.json()['id']}/").status_code == 404
