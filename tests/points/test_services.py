import pytest

from apps.core.errors import InvalidInput
from apps.points.models import PointsRule
from apps.points.services import points_award


def test_unknown_rule_is_invalid_and_inactive_rule_awards_nothing(world, leader_member):
    with pytest.raises(InvalidInput) as exc:
        points_award(member=leader_member, rule="nope")
    assert exc.value.code == "unknown_points_rule"
    PointsRule.objects.update_or_create(
        code="pledge_kept", defaults={"name": "兑现承诺", "points": 10, "active": False}
    )
    assert points_award(member=leader_member, rule="pledge_kept") is None


def test_points_rules_are_seeded_by_the_migration_and_recreated_if_missing(world, leader_member):
    from importlib import import_module

    migration = import_module("apps.grids.migrations.0003_seed_points_rules")
    assert {code for code, _, _ in migration.RULES} == set(PointsRule.DEFAULTS)
    PointsRule.objects.filter(code="pledge_kept").delete()
    entry = points_award(member=leader_member, rule="pledge_kept")
    assert entry.points == 10


def test_stars_are_quintiles_within_the_community(world, make_member):
    from apps.points.selectors import members_ranked

    members = [make_member() for _ in range(8)]
    for i, m in enumerate(members):
        for _ in range(i):
            points_award(member=m, rule="volunteer_hours")
    ranked = members_ranked(community=world.community_a)
    stars = {m.pk: m.star for m in ranked}
    assert stars[members[-1].pk] == 5
    assert stars[members[0].pk] == 1
    assert set(stars.values()) == {1, 2, 3, 4, 5}
