"""Machinery for the permission matrix (tests/test_permission_matrix.py).

An `Endpoint` row says how to make an object at a place in the `world` ("A": community A,
"B": community B, "own": the fixed user's own row), how to create one there through the
API, how to change it harmlessly, and — the spec — which roles may do what to which
object. `check(endpoint, role, ...)` runs every action as that role and returns the
mismatches, so one failing row lists everything that role got wrong.

Other apps add rows by building `Endpoint`s for their own API the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from rest_framework.test import APIClient

ROLES = (
    "resident",
    "member",
    "group_leader",
    "grid_worker",
    "secretary",
    "administrator",
    "outsider",
    "nobody",
    "anonymous",
)
ALL = frozenset(ROLES) - {"anonymous"}


@dataclass
class Endpoint:
    name: str
    url: str  # the collection, e.g. "/api/households/"
    make: Callable  # (world, where) -> a fresh object at "A" / "B" / "own"
    create_payload: Callable  # (world, where) -> dict for POST
    update_payload: dict  # a harmless PATCH
    view: dict  # where -> roles that list and retrieve it
    change: dict  # where -> roles that may PATCH and DELETE it
    create: dict  # where -> roles that may create there
    places: tuple = ("A", "B")
    deletable: tuple = ("A", "B")  # "own" rows usually have dependents
    extra: dict = field(default_factory=dict)
    # where -> roles that may see the related ids of the create payload (its parent, area,
    # household ...): a refused create is 403 for them and, for everyone else, the answer
    # for ids that do not exist (400), never a 403 that confirms them (issue 13, finding 5).
    # None: every refusal is 403.
    target_view: dict | None = None


def _client(world, role) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        from apps.accounts.models import DeviceToken

        _instance, token = DeviceToken.objects.create(world.user(role), name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _ids(response) -> set:
    return {row["id"] for row in response.json()["results"]}


def check(endpoint: Endpoint, role: str, world) -> list[str]:
    """Run list/retrieve/update/delete/create as `role`; return what differs from the spec."""
    client = _client(world, role)
    model = None
    wrong = []

    def expect(what, got, want):
        if got != want:
            wrong.append(f"{endpoint.name} {what} as {role}: got {got}, expected {want}")

    anonymous = role == "anonymous"
    for where in endpoint.places:
        obj = endpoint.make(world, where)
        model = type(obj)
        sees = role in endpoint.view.get(where, ())
        changes = role in endpoint.change.get(where, ())

        listed = client.get(endpoint.url, {"page_size": 200})
        if anonymous:
            expect("list", listed.status_code, 401)
        else:
            expect(f"list shows {where}", obj.pk in _ids(listed), sees)

        detail = f"{endpoint.url}{obj.pk}/"
        got = client.get(detail).status_code
        expect(f"retrieve {where}", got, 401 if anonymous else (200 if sees else 404))

        before = {k: getattr(obj, k) for k in endpoint.update_payload}
        got = client.patch(detail, endpoint.update_payload, format="json").status_code
        expect(f"update {where}", got, 401 if anonymous else (200 if changes else 404))
        obj.refresh_from_db()
        after = {k: getattr(obj, k) for k in endpoint.update_payload}
        if not changes and after != before:
            wrong.append(f"{endpoint.name} update {where} as {role} WROTE {after}")

        if where in endpoint.deletable:
            got = client.delete(detail).status_code
            expect(f"delete {where}", got, 401 if anonymous else (204 if changes else 404))
            exists = model._default_manager.filter(pk=obj.pk).exists()
            if not changes and not exists:
                wrong.append(f"{endpoint.name} delete {where} as {role} DELETED it")

    for where in endpoint.create:
        allowed = role in endpoint.create[where]
        count = model._default_manager.count()
        response = client.post(endpoint.url, endpoint.create_payload(world, where), format="json")
        refused = 403
        if endpoint.target_view is not None and role not in endpoint.target_view.get(where, ()):
            refused = 400
        want = 401 if anonymous else (201 if allowed else refused)
        expect(f"create in {where}", response.status_code, want)
        if response.status_code >= 400:
            if model._default_manager.count() != count:
                wrong.append(f"{endpoint.name} refused create in {where} as {role} WROTE a row")
            if set(response.json()) - {"code", "detail", "errors"} or "code" not in response.json():
                wrong.append(f"{endpoint.name} create error shape as {role}: {response.json()}")
    return wrong
