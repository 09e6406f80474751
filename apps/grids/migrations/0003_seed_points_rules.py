from django.db import migrations

RULES = [
    ("visit_logged", "走访入户", 2),
    ("problem_resolved", "解决问题", 5),
    ("wish_fulfilled", "完成微心愿并获评价", 5),
    ("volunteer_hours", "志愿服务时长确认", 3),
    ("pledge_kept", "兑现党员承诺", 10),
]


def seed(apps, schema_editor):
    PointsRule = apps.get_model("grids", "PointsRule")
    for code, name, points in RULES:
        PointsRule.objects.update_or_create(code=code, defaults={"name": name, "points": points})


def unseed(apps, schema_editor):
    PointsRule = apps.get_model("grids", "PointsRule")
    PointsRule.objects.filter(code__in=[code for code, _, _ in RULES], entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_groups_visits_problems_pairings_points")]

    operations = [migrations.RunPython(seed, unseed)]
