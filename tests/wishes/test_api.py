import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from apps.notifications.models import OutboxEvent
from apps.register.models import Resident
from apps.wishes.models import Claim, Wish, WishCategory, WishPhoto

pytestmark = pytest.mark.django_db
URL = "/api/wishes/"


def act(client, wish, action, **data):
    return client.post(f"{URL}{wish.pk}/{action}/", data, format="json")


def test_categories_come_from_the_fixture_through_the_reversible_data_migration(api, world):
    # Run the migration's own functions: transactional tests elsewhere flush the rows it
    # loaded when the test database was built.
    migration = importlib.import_module("apps.wishes.migrations.0002_load_categories")
    WishCategory.objects.all().delete()
    migration.load(django_apps, None)
    migration.load(django_apps, None)  # idempotent
    response = api.as_user(world.user("resident")).get("/api/wish-categories/")
    assert response.status_code == 200
    names = [c["name"] for c in response.json()]
    assert names == ["结对帮困", "便民服务", "助学", "助老", "助残", "医疗健康", "文体", "其他"]
    migration.unload(django_apps, None)
    assert not WishCategory.objects.exists()


def test_anonymous_gets_401_in_the_error_shape(api, world):
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_resident_submits_through_the_api(api, world, category):
    client = api.as_user(world.user("resident"))
    response = client.post(URL, {"title": "想要助听器", "category": category.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["status_display"] == "待审核"
    assert body["resident_name"] == "王秀梅"  # own name unmasked


def test_submit_with_a_photo_as_multipart(api, world, category):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    buf.name = "p.jpg"
    buf.seek(0)
    client = api.as_user(world.user("resident"))
    data = {"title": "修门", "category": category.pk, "photos": [buf]}
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 201, response.json()
    assert WishPhoto.objects.count() == 1


@pytest.mark.parametrize(
    "data, code",
    [
        ({"title": ""}, "title_required"),
        ({"title": "长" * 61}, "title_too_long"),
        ({"category": 424242}, "unknown_category"),
        ({"wanted_by": "2000-01-01"}, "wanted_by_past"),
        ({"wanted_by": "not-a-date"}, "invalid"),
        ({"estimated_cost": "-5"}, "invalid_cost"),
    ],
)
def test_bad_input_is_a_400_with_a_code(api, world, category, data, code):
    client = api.as_user(world.user("resident"))
    response = client.post(URL, {"title": "心愿", "category": category.pk, **data}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Wish.objects.exists()


def test_photo_that_is_not_an_image_is_a_400(api, world, category):
    fake = io.BytesIO(b"MZ\x90\x00 definitely not a picture")
    fake.name = "virus.jpg"
    client = api.as_user(world.user("resident"))
    data = {"title": "心愿", "category": category.pk, "photos": [fake]}
    response = client.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "photo_not_image"
    assert not Wish.objects.exists()


def test_double_submit_is_a_409(api, world, category):
    client = api.as_user(world.user("resident"))
    data = {"title": "修水管", "description": "厨房漏水", "category": category.pk}
    assert client.post(URL, data, format="json").status_code == 201
    response = client.post(URL, data, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_submission"
    assert Wish.objects.count() == 1


def test_grid_worker_enters_a_wish_for_a_resident(api, world, category):
    resident = Resident.objects.get(user=world.user("resident"))
    client = api.as_user(world.user("grid_worker"))
    data = {"title": "代录", "category": category.pk, "resident": resident.pk}
    response = client.post(URL, data, format="json")
    assert response.status_code == 201
    assert Wish.objects.get().entered_by == world.user("grid_worker")
    outsider = api.as_user(world.user("outsider"))
    response = outsider.post(URL, {**data, "title": "越权"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_resident"


def test_full_lifecycle_through_the_api(api, world, make_wish):
    wish = make_wish()
    worker = api.as_user(world.user("grid_worker"))
    response = act(worker, wish, "publish")
    assert response.status_code == 200 and response.json()["status"] == "published"

    member = api.as_user(world.user("member"))
    response = act(member, wish, "claim")
    assert response.status_code == 200 and response.json()["status"] == "claimed"

    leader = api.as_user(world.user("group_leader"))
    response = act(leader, wish, "claim")
    assert response.status_code == 409
    assert response.json()["code"] == "already_claimed"

    member = api.as_user(world.user("member"))
    assert act(member, wish, "fulfil", note="").json()["code"] == "note_required"
    assert act(member, wish, "fulfil", note="已送到").status_code == 200

    resident = api.as_user(world.user("resident"))
    assert act(resident, wish, "confirm", rating=9).json()["code"] == "invalid_rating"
    response = act(resident, wish, "confirm", rating=5, comment="谢谢")
    assert response.status_code == 200
    assert response.json()["status"] == "closed" and response.json()["rating"] == 5

    detail = resident.get(f"{URL}{wish.pk}/").json()
    assert [e["to_status"] for e in detail["events"]] == [
        "submitted",
        "published",
        "claimed",
        "fulfilled",
        "closed",
    ]
    assert detail["claims"][0]["status"] == "fulfilled"


def test_release_and_reject_and_withdraw_actions(api, world, make_wish):
    claimed = make_wish("claimed")
    member = api.as_user(world.user("member"))
    assert act(member, claimed, "release", note="没空").json()["status"] == "published"

    submitted = make_wish(title="另一个")
    worker = api.as_user(world.user("grid_worker"))
    assert act(worker, submitted, "reject").json()["code"] == "reason_required"
    response = act(worker, submitted, "reject", reason="重复")
    assert response.json()["status"] == "rejected"

    third = make_wish(title="第三个")
    resident = api.as_user(world.user("resident"))
    assert act(resident, third, "withdraw").json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    "role, action, status_code, code",
    [
        ("member", "publish", 404, "not_found"),  # in vetting: members do not see it
        ("resident", "publish", 403, "not_a_vetter"),
        ("outsider", "publish", 404, "not_found"),
        ("resident", "claim", 403, "own_wish"),
        ("outsider", "claim", 404, "not_found"),
        ("member", "claim", 404, "not_found"),  # in vetting: members do not see it
        ("resident", "confirm", 409, "invalid_transition"),
        ("grid_worker", "fulfil", 409, "invalid_transition"),
    ],
)
def test_submitted_wish_permissions(api, world, make_wish, role, action, status_code, code):
    wish = make_wish()
    response = act(api.as_user(world.user(role)), wish, action, rating=5)
    assert response.status_code == status_code
    assert response.json()["code"] == code


def test_claim_by_a_resident_is_a_403(api, world, make_wish):
    wish = make_wish("published")
    response = act(api.as_user(world.user("resident")), wish, "claim")
    assert response.status_code == 403
    assert response.json()["code"] == "own_wish"


def test_confirm_by_someone_else_is_a_403(api, world, make_wish):
    wish = make_wish("fulfilled")
    response = act(api.as_user(world.user("member")), wish, "confirm", rating=5)
    assert response.status_code == 403
    assert response.json()["code"] == "not_wish_owner"


def test_claim_on_behalf_of_an_unknown_organisation_is_a_400(api, world, make_wish):
    wish = make_wish("published")
    response = act(api.as_user(world.user("member")), wish, "claim", organisation=999999)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_organisation"
    assert not Claim.objects.exists()


# --- what each role sees ------------------------------------------------------------------------


def _ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_visibility_per_role(api, world, make_wish):
    submitted = make_wish(title="待审")
    published = make_wish("published", title="已发布")
    claimed = make_wish("claimed", title="已认领")
    everything = {submitted.pk, published.pk, claimed.pk}
    assert _ids(api.as_user(world.user("resident")).get(URL)) == everything
    assert _ids(api.as_user(world.user("grid_worker")).get(URL)) == everything
    assert _ids(api.as_user(world.user("administrator")).get(URL)) == everything
    # Members see the wishes that went public, not those in vetting.
    public = {published.pk, claimed.pk}
    assert _ids(api.as_user(world.user("group_leader")).get(URL)) == public
    assert _ids(api.as_user(world.user("member")).get(URL)) == public
    assert _ids(api.as_user(world.user("outsider")).get(URL)) == set()
    assert _ids(api.as_user(world.user("nobody")).get(URL)) == set()
    response = api.as_user(world.user("group_leader")).get(f"{URL}{submitted.pk}/")
    assert response.status_code == 404


def test_members_see_masked_names_staff_see_full_names(api, world, make_wish):
    make_wish("published")
    member_row = api.as_user(world.user("member")).get(URL).json()["results"][0]
    assert member_row["resident_name"] == "王*梅"
    worker_row = api.as_user(world.user("grid_worker")).get(URL).json()["results"][0]
    assert worker_row["resident_name"] == "王秀梅"


def test_filters_by_status_category_and_area(api, world, make_wish):
    published = make_wish("published", title="已发布")
    make_wish(title="待审")
    client = api.as_user(world.user("grid_worker"))
    assert _ids(client.get(URL, {"status": "published"})) == {published.pk}
    other = WishCategory.objects.create(name="测试类别")
    assert _ids(client.get(URL, {"category": other.pk})) == set()
    assert len(_ids(client.get(URL, {"area": world.grid_a.pk}))) == 2
    assert _ids(client.get(URL, {"area": world.community_b.pk})) == set()
    response = client.get(URL, {"status": "nonsense"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_organisation_representative_sees_and_claims_published_wishes(api, world, make_wish):
    from tests import factories as f

    rep = f.UserFactory()
    org = f.OrganisationFactory(area=world.street)
    org.representatives.add(rep)
    published = make_wish("published", title="已发布")
    make_wish(title="待审")
    client = api.as_user(rep)
    assert _ids(client.get(URL)) == {published.pk}
    response = act(client, published, "claim", organisation=org.pk)
    assert response.status_code == 200
    assert Claim.objects.get().organisation == org


@pytest.mark.parametrize("role", ["member", "grid_worker", "resident"])
def test_list_runs_a_constant_number_of_queries(
    api, world, many_wishes, django_assert_num_queries, role
):
    client = api.as_user(world.user(role))
    many_wishes(2)
    client.get(URL)  # warm up (content types, etc.)
    with CaptureQueriesContext(connection) as small:
        assert len(_ids(client.get(URL))) == 2
    # token, the user's grants, their own rows' ids for each scoped queryset (accounts.scoping:
    # a list, not a subquery), the page's count and its rows
    assert len(small.captured_queries) <= 6, [q["sql"] for q in small.captured_queries]
    many_wishes(18)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(_ids(client.get(URL))) == 20
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(_ids(client.get(URL, {"page_size": 200}))) == 20


def test_outbox_row_for_each_api_transition(api, world, make_wish):
    wish = make_wish("published")
    before = OutboxEvent.objects.count()
    act(api.as_user(world.user("member")), wish, "claim")
    assert OutboxEvent.objects.count() == before + 1
    assert OutboxEvent.objects.latest("pk").name == "wish.claimed"


def test_errors_speak_the_requests_language(api, world, make_wish):
    wish = make_wish("claimed")
    client = api.as_user(world.user("group_leader"))
    zh = client.post(f"{URL}{wish.pk}/claim/", {}, format="json")
    assert zh.json()["detail"] == "该心愿已被认领。"
    en = client.post(f"{URL}{wish.pk}/claim/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json() == {"code": "already_claimed", "detail": "This wish has already been claimed."}


def test_detail_hides_event_actors_from_who_may_not_see_the_residents_name(api, world, make_wish):
    wish = make_wish("published")
    member = api.as_user(world.user("member"))
    response = member.get(f"{URL}{wish.pk}/")
    assert response.status_code == 200
    assert "王秀梅" not in response.content.decode()
    assert [e["actor"] for e in response.json()["events"]] == [None, None]
    worker = api.as_user(world.user("grid_worker"))
    actors = [e["actor"] for e in worker.get(f"{URL}{wish.pk}/").json()["events"]]
    assert actors[0] and actors[1]  # staff over the area see who did what
