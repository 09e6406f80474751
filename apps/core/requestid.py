"""A request id that follows a request into its log lines and into the Celery tasks it
queues (and their log lines in the worker).

`RequestIdMiddleware` takes the client's (or the proxy's) `X-Request-ID` when it is short
and made of safe characters, or makes one; it is on the response, in a context variable
that `RequestIdFilter` copies onto every log record, and in the headers of every task
published while the request runs (`before_task_publish`); the worker sets it again for the
task's run (`task_prerun`) and clears it after (`task_postrun`).
"""

import contextvars
import logging
import re
import uuid

from celery import signals

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_id() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    """The id from a request header if it is one we accept (8–64 letters, digits, `.`, `_`,
    `-`: nothing a log reader or a header could be tricked by), else a new one."""
    value = (value or "").strip()
    return value if VALID.match(value) else new_id()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = accept(request.headers.get(HEADER))
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` (empty outside a request or task) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


@signals.before_task_publish.connect
def _add_request_id(headers=None, **kwargs):
    rid = request_id.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


@signals.task_prerun.connect
def _set_task_request_id(task=None, **kwargs):
    if task is None:
        return
    # A worker puts the message's custom headers on the request; `apply()` keeps them in
    # `request.headers`.
    rid = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    if rid and VALID.match(str(rid)):
        # Eager tasks run inside the request: the id is already set, keep it.
        task.request._tongxin_rid_token = request_id.set(str(rid))


@signals.task_postrun.connect
def _clear_task_request_id(task=None, **kwargs):
    token = getattr(getattr(task, "request", None), "_tongxin_rid_token", None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context
            request_id.set("")
        task.request._tongxin_rid_token = None
