"""Issue 13, finding 1: uploaded photos are stored under generated names, re-encoded (no
appended payload, no metadata), limited in pixels, and media is served so that a browser
never renders it as a page of the app's origin."""

import io

import pytest
from django.conf import settings
from PIL import Image

from apps.wishes.models import Claim, WishPhoto

pytestmark = pytest.mark.django_db
URL = "/api/wishes/"
PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"


def _png_with_html(name="poc.html", size=(8, 8)):
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    buf = io.BytesIO(buf.getvalue() + PAYLOAD)
    buf.name = name
    return buf


def _jpeg_with_gps():
    image = Image.new("RGB", (8, 8), "blue")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (29.0, 56.0, 10.0)}  # GPSInfo
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    buf.name = "home.jpg"
    buf.seek(0)
    return buf


def _stored_bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def test_png_with_html_named_poc_html_is_stored_as_a_clean_png_under_a_generated_name(
    api, world, category
):
    client = api.as_user(world.user("resident"))
    data = {"title": "修门", "category": category.pk, "photos": [_png_with_html()]}
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 201, response.json()
    image = WishPhoto.objects.get().image
    assert image.name.endswith(".png")
    assert "poc" not in image.name
    assert PAYLOAD not in _stored_bytes(image)


def test_fulfilment_photo_is_stored_as_a_clean_png_under_a_generated_name(api, world, make_wish):
    wish = make_wish("claimed")
    client = api.as_user(world.user("member"))
    data = {"note": "已送到", "photo": _png_with_html()}
    response = client.post(f"{URL}{wish.pk}/fulfil/", data, format="multipart")
    assert response.status_code == 200, response.json()
    photo = Claim.objects.get(wish=wish).fulfil_photo
    assert photo.name.endswith(".png") and "poc" not in photo.name
    assert PAYLOAD not in _stored_bytes(photo)


def test_photo_metadata_such_as_gps_is_stripped(api, world, category):
    client = api.as_user(world.user("resident"))
    data = {"title": "修门", "category": category.pk, "photos": [_jpeg_with_gps()]}
    assert client.post(URL, data, format="multipart").status_code == 201
    image = WishPhoto.objects.get().image
    assert image.name.endswith(".jpg")
    with Image.open(io.BytesIO(_stored_bytes(image))) as stored:
        assert not stored.getexif()


def test_photo_over_the_pixel_limit_is_refused_with_photo_too_large_pixels(
    api, world, category, settings
):
    settings.TONGXIN = {**settings.TONGXIN, "WISH_PHOTO_MAX_PIXELS": 100}
    client = api.as_user(world.user("resident"))
    data = {"title": "修门", "category": category.pk, "photos": [_png_with_html(size=(20, 20))]}
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "photo_too_large_pixels"
    assert not WishPhoto.objects.exists()


def test_default_pixel_limit_is_forty_megapixels():
    assert settings.TONGXIN["WISH_PHOTO_MAX_PIXELS"] == 40_000_000


def test_media_is_served_with_nosniff_sandbox_csp_and_an_inline_disposition(
    api, world, category, client
):
    resident = api.as_user(world.user("resident"))
    data = {"title": "修门", "category": category.pk, "photos": [_png_with_html()]}
    assert resident.post(URL, data, format="multipart").status_code == 201
    name = WishPhoto.objects.get().image.name
    response = client.get(f"/{settings.MEDIA_URL.strip('/')}/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    assert response["Content-Disposition"] == f'inline; filename="{name.rsplit("/", 1)[-1]}"'


def test_media_that_is_not_an_image_is_served_as_an_attachment(client, settings, tmp_path):
    (tmp_path / "media" / "claims").mkdir(parents=True)
    (tmp_path / "media" / "claims" / "old.html").write_bytes(PAYLOAD)
    response = client.get(f"/{settings.MEDIA_URL.strip('/')}/claims/old.html")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
