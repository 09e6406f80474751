"""The installable app's server side: manifest, service worker and the pages kept offline."""

import json

import pytest
from django.urls import reverse

from apps.grids import services
from apps.grids.models import Pairing, Visit
from tests import factories as f
from tests.grids.conftest import helper_user

pytestmark = pytest.mark.django_db


def test_manifest_is_public_and_describes_an_installable_app(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    data = json.loads(r.content)
    assert data["name"] == "同心" and data["start_url"] == "/" and data["scope"] == "/"
    assert data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_at_the_root_and_not_cached(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert r["Service-Worker-Allowed"] == "/" and r["Cache-Control"] == "no-cache"
    body = r.content.decode()
    assert body.startswith("self.TONGXIN = ") and "importScripts" in body


def test_base_template_links_manifest_and_scripts_without_inline_code(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/js/app.js"' in html
    assert 'data-user=""' in html  # the login page: the phone forgets the cached pages


def test_leader_page_is_marked_for_offline_use_for_its_user_only(client, world, group, households):
    f.ResidentFactory(household=households[0], name="欧阳秀英")
    leader = world.user("group_leader")
    client.force_login(leader)
    r = client.get(reverse("grids:leader"))
    assert r["X-Tongxin-Offline"] == str(leader.pk)
    html = r.content.decode()
    assert "欧**英" in html and "欧阳秀英" not in html  # masked on the phone
    assert f'data-group="{group.pk}"' in html
    client.logout()
    assert "X-Tongxin-Offline" not in client.get(reverse("grids:leader"))  # the login redirect


def test_a_paired_helper_sees_the_household_and_can_log_five_clears(
    client, api, world, vulnerable, make_member
):
    helper = make_member()
    user = helper_user(world, helper)
    resident = vulnerable()
    services.pairing_create(actor=world.user("grid_worker"), helper=helper, resident=resident)
    client.force_login(user)
    html = client.get(reverse("grids:leader")).content.decode()
    assert f'data-household="{resident.household_id}"' in html
    assert 'data-paired="1"' in html and 'data-group=""' in html

    body = {"household": resident.household_id, "situation_clear": True}
    r = api.as_user(user).post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="h-1")
    assert r.status_code == 201 and r.json()["situation_clear"] is True
    # Unpaired meanwhile: the next visit (a new key) is refused, nothing written.
    services.pairing_end(actor=world.user("grid_worker"), pairing=Pairing.objects.get())
    r = api.post("/api/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="h-2")
    assert r.status_code == 400 and "household" in r.json()["errors"]
    assert Visit.objects.count() == 1
