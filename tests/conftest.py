"""Fixed world for every test: one district with one street and two communities, each with
a grid and a building; one user per role in community A, and an `outsider` who holds the
same staff roles in community B (so every test can check both in and out of scope)."""

import datetime as dt
import os
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import translation
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.register.models import Area, Member, PartyOrg
from tests import factories as f

SERVICES_REQUIRED = os.environ.get("TONGXIN_SERVICES") == "required"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "services" in item.keywords:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def services():
    """Real PostgreSQL (and Redis, for tests that ask for it): fail in CI, skip elsewhere."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if SERVICES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def redis_url():
    url = os.environ.get("TONGXIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if SERVICES_REQUIRED:
            pytest.fail(f"Redis at {url} is required: {exc}")
        pytest.skip(f"needs Redis at {url}")
    return url


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request handled in English (the locale
    middleware activates it for the thread and leaves it) must not leak into the next test."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _primary_reads(settings):
    """Reports read from the primary in tests: their data sits in the test's transaction,
    which a replica never sees. tests/core/test_replica.py turns the replica on."""
    settings.TONGXIN_READ_REPLICA = False


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs ~0.2 s a user; the world fixture makes eight per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (see `celery_worker_app`).

    An eager `delay()` marks joins as blocking while it runs and restores the previous value
    after, in one process-wide flag: threads racing through eager tasks (the concurrency
    tests) can leave it set, and a later test's `.delay().get()` would then refuse to join."""
    from celery._state import _set_task_join_will_block

    from config.celery import app

    app.conf.task_always_eager = True
    _set_task_join_will_block(False)
    yield
    app.conf.task_always_eager = True


@dataclass
class World:
    district: Area
    street: Area
    community_a: Area
    grid_a: Area
    building_a: Area
    community_b: Area
    grid_b: Area
    building_b: Area
    committee: PartyOrg
    branch_a: PartyOrg
    branch_b: PartyOrg
    users: dict

    def user(self, role: str) -> User:
        return self.users[role]


@pytest.fixture
def world(db) -> World:
    district = f.area("北仑区", Area.Kind.DISTRICT)
    street = f.area("大榭街道", Area.Kind.STREET, district)
    community_a = f.area("海城社区", Area.Kind.COMMUNITY, street)
    grid_a = f.area("海城第1网格", Area.Kind.GRID, community_a)
    building_a = f.area("1幢", Area.Kind.BUILDING, grid_a)
    community_b = f.area("榭南社区", Area.Kind.COMMUNITY, street)
    grid_b = f.area("榭南第1网格", Area.Kind.GRID, community_b)
    building_b = f.area("8幢", Area.Kind.BUILDING, grid_b)
    committee = f.party_org("大榭街道党工委", PartyOrg.Kind.WORKING_COMMITTEE, area=street)
    branch_a = f.party_org("海城社区党支部", PartyOrg.Kind.BRANCH, committee, area=community_a)
    branch_b = f.party_org("榭南社区党支部", PartyOrg.Kind.BRANCH, committee, area=community_b)

    users = {}
    resident_user = f.UserFactory(username="resident", name="王秀梅")
    household = f.HouseholdFactory(area=building_a, room="101")
    f.ResidentFactory(household=household, user=resident_user, name="王秀梅", elderly=True)
    users["resident"] = resident_user

    member_user = f.UserFactory(username="member", name="李建国")
    f.MemberFactory(
        user=member_user,
        branch=branch_a,
        community=community_a,
        residence=building_a,
        name="李建国",
    )
    f.grant(member_user, Role.MEMBER, area=community_a)
    users["member"] = member_user

    leader = f.UserFactory(username="leader", name="赵组长")
    f.MemberFactory(
        user=leader, branch=branch_a, community=community_a, residence=building_a, name="赵组长"
    )
    f.grant(leader, Role.MEMBER, area=community_a)
    f.grant(leader, Role.GROUP_LEADER, area=grid_a)
    users["group_leader"] = leader

    worker = f.UserFactory(username="gridworker", name="陈网格")
    f.grant(worker, Role.GRID_WORKER, area=grid_a)
    users["grid_worker"] = worker

    secretary = f.UserFactory(username="secretary", name="周书记")
    f.grant(secretary, Role.SECRETARY, area=community_a)
    users["secretary"] = secretary

    admin = f.UserFactory(username="admin", name="吴管理")
    f.grant(admin, Role.ADMINISTRATOR, area=street)
    users["administrator"] = admin

    outsider = f.UserFactory(username="outsider", name="孙外人")
    f.MemberFactory(
        user=outsider, branch=branch_b, community=community_b, residence=building_b, name="孙外人"
    )
    for role in (Role.MEMBER, Role.GRID_WORKER, Role.SECRETARY):
        f.grant(outsider, role, area=community_b if role != Role.GRID_WORKER else grid_b)
    users["outsider"] = outsider

    users["nobody"] = f.UserFactory(username="nobody")
    return World(
        district,
        street,
        community_a,
        grid_a,
        building_a,
        community_b,
        grid_b,
        building_b,
        committee,
        branch_a,
        branch_b,
        users,
    )


@pytest.fixture
def staff_client(world, client):
    """`staff_client(role)`: the test client logged in as the world's user of `role`, made
    staff (the admin)."""

    def login(role):
        user = world.user(role)
        user.is_staff = True
        user.save()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it with a token."""
    client = APIClient()

    def as_user(user):
        from apps.accounts.models import DeviceToken

        _instance, token = DeviceToken.objects.create(user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    client.as_user = as_user
    return client


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def chromium():
    """The system Chromium under Playwright (headless): `browser_page` opens its page in it,
    tests/live/test_browser.py its pages against uvicorn."""
    if not os.path.exists(CHROMIUM):
        if SERVICES_REQUIRED:
            pytest.fail(f"{CHROMIUM} is required in CI")
        pytest.skip(f"needs {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # in between are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        # While Playwright's loop is marked running in this thread, Django keeps the
        # thread's connections in a context-local store apart from the plain thread-local
        # one (asgiref's thread-critical Local): the test's ORM calls opened a connection of
        # their own that no later close_all() sees. Close it while the loop still runs, or
        # it outlives the run and the test database cannot be dropped.
        connections.close_all()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def new_page(browser, **context_options):
    """A page in a new context of `browser`: Chinese, a phone's viewport, 15 s timeouts."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, **context_options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def browser_page(live_server, transactional_db, chromium):
    """A Playwright page in the system Chromium against the live test server.

    Use `browser_page.goto(live_server.url + "/")`; `login(page, live_server, username)`
    logs a user in through the real login form.
    """
    page = new_page(chromium)
    yield page
    page.context.close()


def login(page, live_server, username: str, password: str = "pass-1234") -> None:
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


@pytest.fixture
def make_member(world):
    def make(kind=Member.Kind.EMPLOYED, joined=2020, community=None, residence=None, user=None):
        return f.MemberFactory(
            branch=world.branch_a,
            community=community or world.community_a,
            residence=residence or world.building_a,
            kind=kind,
            joined_on=dt.date(joined, 7, 1),
            user=user,
        )

    return make


@pytest.fixture
def leader_member(world):
    return Member.objects.get(user=world.user("group_leader"))
