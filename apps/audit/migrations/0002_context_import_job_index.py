"""An index for "what did import job N write" (the job's page): the rows whose history
context names the job. PostgreSQL only: SQLite keeps no history."""

from django.db import migrations

INDEX = "audit_context_import_job"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON pghistory_context ((metadata -> 'import_job'))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("pghistory", "0007_auto_20250421_0444")]

    operations = [migrations.RunPython(create, drop)]
