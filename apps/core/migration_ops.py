"""Operations for migrations that move models between apps without touching their tables."""

from django.db import migrations


class StateOnly(migrations.SeparateDatabaseAndState):
    """SeparateDatabaseAndState without database operations, and cheap on a rendered state.

    Each relational AlterField/RemoveField/DeleteModel on a state whose models are rendered
    re-renders every model related to the one it changes (and most of them are related
    through the user): with the dozens of operations a move takes, that was most of the
    time `migrate` spends, forwards and backwards. Dropping the rendered models first makes
    the operations edit plain model states; they are rendered once, when next needed."""

    def __init__(self, operations):
        super().__init__(state_operations=operations)

    def deconstruct(self):
        return self.__class__.__name__, [self.state_operations], {}

    def state_forwards(self, app_label, state):
        state.__dict__.pop("apps", None)
        super().state_forwards(app_label, state)


def state_only(*operations) -> migrations.SeparateDatabaseAndState:
    """The operations change Django's picture of the models only: the tables stay as they are
    (a model that moves keeps its table through Meta.db_table)."""
    return StateOnly(list(operations))


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
