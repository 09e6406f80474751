from django.db import migrations


def add_constraint(apps, schema_editor):
    """On PostgreSQL, a member's open sign-ups never overlap in time (the same occurrence
    included): an exclusion constraint, so signing up needs no lock on the member. Elsewhere
    the service checks it under the member's row lock."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        "ALTER TABLE volunteers_signup ADD CONSTRAINT signup_no_overlap EXCLUDE USING gist "
        "(member_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
        "WHERE (status IN ('signed_up', 'waitlisted'))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE volunteers_signup DROP CONSTRAINT IF EXISTS signup_no_overlap"
        )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0005_signup_arrival_sequence")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
