import datetime as dt
import io
import os
from pathlib import Path

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


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _pdf_qr_matches(content: bytes, url: str) -> bool:
    """The PDF holds one image, and it is the QR code of `url` pixel for pixel."""
    from PIL import Image
    from pypdf import PdfReader

    from apps.volunteers.certificates import qr_png

    images = [i.image for page in PdfReader(io.BytesIO(content)).pages for i in page.images]
    expected = Image.open(io.BytesIO(qr_png(url))).convert("L")
    return len(images) == 1 and images[0].convert("L").tobytes() == expected.tobytes()


def test_certificate_pdf_renders_chinese_the_serial_and_the_qr_code(world, client, confirmed):
    member = Member.objects.get(user=world.user("member"))
    cert = services.certificate_issue(actor=world.user("member"), member=member)
    client.force_login(world.user("member"))
    r = client.get(f"/volunteers/certificates/{cert.pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert f'filename="{cert.serial}.pdf"' in r["Content-Disposition"]
    text = _pdf_text(r.content).replace(" ", "")
    # Chinese glyphs come out as Chinese text (a CJK font was embedded, not tofu boxes).
    assert cert.serial in text and "志愿服务记录证明" in text and "李建国" in text
    assert "温暖星期五" in text and "海城社区" in text
    # The verification link is printed, and its QR code is in the PDF.
    verify_url = f"http://testserver/volunteers/certificates/verify/{cert.verify_code}/"
    assert verify_url in text.replace("\n", "")
    assert _pdf_qr_matches(r.content, verify_url)
    if os.environ.get("TONGXIN_KEEP_PDF"):  # to look at it: pdftoppm -png -r 60 FILE out
        Path(os.environ["TONGXIN_KEEP_PDF"]).write_bytes(r.content)


def test_certificate_pdf_through_the_api_and_out_of_scope(world, client, api, confirmed):
    member = Member.objects.get(user=world.user("member"))
    cert = services.certificate_issue(actor=world.user("member"), member=member)
    r = api.as_user(world.user("member")).get(f"/api/volunteer-certificates/{cert.pk}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert cert.serial in _pdf_text(r.content)
    r = api.as_user(world.user("outsider")).get(f"/api/volunteer-certificates/{cert.pk}/pdf/")
    assert r.status_code == 404
    r = api.as_user(world.user("group_leader")).get(
        f"/api/volunteer-certificates/{cert.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert r.status_code == 404
    client.force_login(world.user("outsider"))
    assert client.get(f"/volunteers/certificates/{cert.pk}.pdf").status_code == 404
    client.force_login(world.user("group_leader"))
    assert client.get(f"/volunteers/certificates/{cert.pk}.pdf").status_code == 404


def test_a_certificate_issued_from_english_pages_is_still_in_chinese(world, confirmed):
    from django.utils import translation

    member = Member.objects.get(user=world.user("member"))
    with translation.override("en"):
        cert = services.certificate_issue(actor=world.user("member"), member=member)
    assert cert.id_type == "居民身份证"
