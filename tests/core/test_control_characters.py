"""Issue 13, finding 14: control characters are refused at input for every text field (API
and forms, code `control_characters`), and every export survives what is already stored."""

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from apps.register.models import Household, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_nul_in_preferences_is_a_400_not_a_500(api, world):
    client = api.as_user(world.user("member"))
    body = {"muted": {}, "wechat_openid": "ab\x00"}
    response = client.put("/api/notifications/preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"
    body = {"muted": {"*": ["sms\x00"]}}
    response = client.put("/api/notifications/preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"


def test_control_character_in_a_name_is_refused(api, world):
    client = api.as_user(world.user("secretary"))
    household = f.HouseholdFactory(area=world.building_a)
    body = {"household": household.pk, "name": "钱\x07多", "gender": "female"}
    response = client.post("/api/residents/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"
    assert not Resident.objects.filter(household=household).exists()


def test_input_serializer_text_refuses_escape_but_keeps_newlines_and_tabs(api, world, db):
    from apps.wishes.models import WishCategory

    category = WishCategory.objects.get_or_create(name="助老")[0]
    client = api.as_user(world.user("resident"))
    body = {"title": "修\x1b门", "category": category.pk}
    response = client.post("/api/wishes/", body, format="json")
    assert response.json()["code"] == "control_characters"
    body = {"title": "修门", "description": "第一行\n第二行\t完", "category": category.pk}
    assert client.post("/api/wishes/", body, format="json").status_code == 201


def test_form_text_fields_refuse_control_characters():
    with pytest.raises(ValidationError) as exc:
        forms.CharField().clean("钱\x01多")
    assert exc.value.error_list[0].code == "control_characters"
    assert forms.CharField().clean("钱多多\n") == "钱多多"


def test_exports_survive_control_characters_already_stored(client, world):
    household = f.HouseholdFactory(area=world.building_a, address="海城路\x0b9号")
    Resident.objects.create(household=household, name="钱\x07多", gender="female")
    Household.objects.filter(pk=household.pk).update(room="5\x0101")
    client.force_login(world.user("secretary"))
    for kind in ("households", "residents"):
        response = client.get(f"/rosters/export/{kind}.xlsx")
        assert response.status_code == 200, kind
        text = str(list(load_workbook(io.BytesIO(response.content)).active.values))
        assert "\x07" not in text and "\x01" not in text and "\x0b" not in text
    csv = client.get("/rosters/export/residents.csv").content.decode("utf-8-sig")
    assert "钱多" in csv and "\x07" not in csv


def test_wish_page_form_refuses_control_characters(client, world, db):
    from apps.wishes import services
    from apps.wishes.models import WishCategory

    category = WishCategory.objects.get_or_create(name="助老")[0]
    with pytest.raises(Exception) as exc:
        services.wish_submit(actor=world.user("resident"), title="修\x00门", category=category)
    assert exc.value.code == "control_characters"
