import pytest
from django.test import RequestFactory

from apps.core.validators import parse_id
from apps.core.views import redirect_back


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http:evil.example", ""],
)
def test_redirect_back_never_leaves_the_site(target):
    request = RequestFactory().post("/wishes/1/claim/")
    response = redirect_back(request, target, default="/wishes/")
    assert response["Location"] == "/wishes/"


def test_redirect_back_takes_the_first_target_inside_the_site():
    request = RequestFactory().post("/x/")
    response = redirect_back(request, None, "https://evil.example/", "/claims/?page=2", default="/")
    assert response["Location"] == "/claims/?page=2"


def test_redirect_back_does_not_resolve_a_user_string_as_a_view_name():
    request = RequestFactory().post("/x/")
    # Django's redirect() would look "wishes:hall" up as a view name (and 500 on "abc").
    assert redirect_back(request, "wishes:hall", default="/")["Location"] == "/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (7, 7),
        (" 3 ", 3),
        ("abc", None),
        ("1e9", None),
        ("-1", None),
        ("٣", None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("9" * 30, None),
        (None, None),
        ("", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/wishes/?category=%00", "/api/wishes/?search=a%1bb"])
def test_control_characters_in_a_query_are_refused(client, django_user_model, path):
    user = django_user_model.objects.create_user(username="u1", password="x")
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "control_characters"
    else:
        assert "控制字符" in response.content.decode()


@pytest.mark.django_db
def test_control_characters_in_a_form_are_refused_before_the_view(client, django_user_model):
    from apps.grids.models import Visit

    user = django_user_model.objects.create_user(username="u2", password="x")
    client.force_login(user)
    before = Visit.objects.count()
    response = client.post("/grids/visits/new/", {"notes": "a\x00b"})
    assert response.status_code == 400
    assert Visit.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["²", "٣", "1e9", "99999999999999999999"])
def test_a_number_that_is_not_ascii_digits_is_not_a_500(world, client, count):
    client.force_login(world.user("secretary"))
    response = client.post("/grids/secretary/", {"grid": world.grid_a.pk, "count": count})
    assert response.status_code < 500
