from django.db import migrations

SEQUENCE = "volunteers_signup_arrival_seq"


def create_sequence(apps, schema_editor):
    """On PostgreSQL, sign-ups draw `arrival` from one sequence, starting above every
    arrival already numbered (elsewhere it is counted per occurrence)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
    schema_editor.execute(
        f"SELECT setval('{SEQUENCE}', COALESCE((SELECT MAX(arrival) FROM volunteers_signup), 0)"
        " + 1, false)"
    )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0004_needs")]

    operations = [
        migrations.RemoveField(model_name="occurrence", name="arrivals"),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
