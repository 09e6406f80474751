from datetime import timedelta

import pytest
from django.utils import timezone

from apps.register.models import Resident
from apps.wishes import services
from apps.wishes.models import Wish, WishCategory


@pytest.fixture
def category(db):
    # get_or_create: transactional tests flush the rows the data migration loaded.
    return WishCategory.objects.get_or_create(name="助老", defaults={"order": 40})[0]


@pytest.fixture
def make_wish(world, category):
    """A wish of the world's resident, driven through the services to `status`."""

    def make(status="submitted", *, title="想要一台助听器", **fields):
        resident = world.user("resident")
        wish = services.wish_submit(actor=resident, title=title, category=category, **fields)
        if status == "submitted":
            return wish
        if status == "rejected":
            return services.wish_reject(wish=wish, actor=world.user("grid_worker"), reason="不符合")
        if status == "withdrawn":
            return services.wish_withdraw(wish=wish, actor=resident)
        services.wish_publish(wish=wish, actor=world.user("grid_worker"))
        if status == "published":
            return wish
        services.wish_claim(wish=wish, actor=world.user("member"))
        if status == "claimed":
            return wish
        services.wish_fulfil(wish=wish, actor=world.user("member"), note="已送到")
        if status == "fulfilled":
            return wish
        return services.wish_confirm(wish=wish, actor=resident, rating=5, comment="谢谢")

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The world fixture hashes eight passwords; PBKDF2 made each test here take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos go to a temporary folder, not the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def many_wishes(world, category):
    """`many_wishes(n)`: n published wishes of the world's resident, bulk-inserted."""

    def make(n: int) -> None:
        resident = Resident.objects.get(user=world.user("resident"))
        now = timezone.now()
        Wish.objects.bulk_create(
            Wish(
                resident=resident,
                area=world.building_a,
                title=f"心愿{i}",
                category=category,
                status=Wish.Status.PUBLISHED,
                published_at=now - timedelta(minutes=i),
            )
            for i in range(n)
        )

    return make
