"""A Celery task's writes carry the task in their history context (PostgreSQL): its name
and id, so an import's rows name the task that wrote them (the import service adds the job)."""

from celery.signals import task_postrun, task_prerun

from apps.core.history import history_context

_open: dict = {}


@task_prerun.connect
def _enter(task_id=None, task=None, **kwargs):
    context = history_context(task=getattr(task, "name", ""), task_id=task_id)
    context.__enter__()
    _open[task_id] = context


@task_postrun.connect
def _exit(task_id=None, **kwargs):
    context = _open.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
