"""Operations for migrations that move models between apps without touching their tables."""

from django.db import migrations


def state_only(*operations) -> migrations.SeparateDatabaseAndState:
    """The operations change Django's picture of the models only: the tables stay as they are
    (a model that moves keeps its table through Meta.db_table)."""
    return migrations.SeparateDatabaseAndState(state_operations=list(operations))


def relabel_content_types(old: str, new: str, models: list[str]) -> migrations.RunPython:
    """Move the models' content types from app `old` to app `new` (and back when reversed),
    so permissions, admin log entries and generic references keep pointing at them."""

    def move(apps, schema_editor, source, target):
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in models:
            # A content type made for the target by a run of newer code is empty: drop it.
            if content_type.objects.using(db).filter(app_label=source, model=model).exists():
                content_type.objects.using(db).filter(app_label=target, model=model).delete()
                content_type.objects.using(db).filter(app_label=source, model=model).update(
                    app_label=target
                )

    return migrations.RunPython(
        lambda apps, schema_editor: move(apps, schema_editor, old, new),
        lambda apps, schema_editor: move(apps, schema_editor, new, old),
    )
