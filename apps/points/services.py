"""The one writer of the points ledger."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.core.errors import InvalidInput
from apps.register.models import Member

from . import rollups
from .models import PointsEntry, PointsRule


def points_award(*, member: Member, rule: str, source=None) -> PointsEntry | None:
    """Credit `member` with the points of `rule` for `source`, once.

    Returns the new entry, or None when this (member, rule, source) was already awarded or
    the rule is switched off. Safe under concurrency: the unique constraint decides.
    """
    points_rule = PointsRule.objects.filter(code=rule).first()
    if points_rule is None and rule in PointsRule.DEFAULTS:
        name, points = PointsRule.DEFAULTS[rule]
        points_rule, _created = PointsRule.objects.get_or_create(
            code=rule, defaults={"name": str(name), "points": points}
        )
    if points_rule is None:
        raise InvalidInput(
            _("未知的积分规则：%(rule)s") % {"rule": rule}, code="unknown_points_rule"
        )
    if not points_rule.active:
        return None
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    source_id = source.pk if source is not None else None
    if (
        source is not None
        and PointsEntry.objects.filter(
            member=member, rule=points_rule, source_type=source_type, source_id=source_id
        ).exists()
    ):
        return None
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                member=member,
                rule=points_rule,
                points=points_rule.points,
                source_type=source_type,
                source_id=source_id,
            )
            rollups.entry_added(entry)
            return entry
    except IntegrityError:  # a concurrent award of the same source won
        return None


def points_rule_update(*, actor, rule: PointsRule, **fields) -> PointsRule:
    """Change a rule's name, points or switch it off (configuration; the code stays, the
    services award by code). Entries already written keep the points they were given."""
    fields.pop("code", None)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule
