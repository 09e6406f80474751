"""One error shape for the whole app: `{"code": "...", "detail": "..."}`.

Services raise `AppError` subclasses; the API renders them with their status, and pages
show `detail` (already translated) to the user. DRF's own exceptions are rendered in the
same shape so that a client only ever parses one thing.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class AppError(Exception):
    """A domain error with a stable machine `code` and a human `detail`."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_detail = gettext_lazy("请求无效。")

    def __init__(self, detail=None, *, code: str | None = None, errors: dict | None = None):
        self.detail = str(detail if detail is not None else self.default_detail)
        if code:
            self.code = code
        self.errors = errors
        super().__init__(self.detail)

    def as_dict(self) -> dict:
        data = {"code": self.code, "detail": self.detail}
        if self.errors:
            data["errors"] = self.errors
        return data


class InvalidInput(AppError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"


class Forbidden(AppError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_detail = gettext_lazy("您没有执行该操作的权限。")


class NotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_detail = gettext_lazy("未找到。")


class Conflict(AppError):
    """The request is valid but the object's state forbids it (an illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_detail = gettext_lazy("当前状态不允许该操作。")


class InvalidTransition(Conflict):
    code = "invalid_transition"


class TooManyRequests(AppError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "throttled"
    default_detail = gettext_lazy("请求过于频繁，请稍后再试。")


def _flatten(detail) -> str:
    """The first human message inside a DRF error structure."""
    if isinstance(detail, dict):
        for value in detail.values():
            return _flatten(value)
        return ""
    if isinstance(detail, list | tuple):
        return _flatten(detail[0]) if detail else ""
    return str(detail)


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


# Field error codes that name the whole error: a client can act on them without the fields.
PROMOTED_CODES = frozenset({"control_characters"})


def _codes(codes) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_codes(c) for c in codes.values()))
    if isinstance(codes, list | tuple):
        return set().union(*(_codes(c) for c in codes))
    return {codes}


def api_exception_handler(exc, context):
    if isinstance(exc, ProtectedError | RestrictedError):
        # A delete that other rows still point at: a conflict, not a server error.
        exc = Conflict(_("仍有其他数据引用该记录，无法删除。"), code="in_use")
    if isinstance(exc, AppError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError) and PROMOTED_CODES & _codes(exc.get_codes()):
        code = next(iter(PROMOTED_CODES & _codes(exc.get_codes())))
    if isinstance(exc, exceptions.ValidationError):
        data = {"code": code, "detail": _flatten(exc.detail) or _("请求无效。")}
        if isinstance(exc.detail, dict):
            data["errors"] = exc.detail
        response.data = data
    else:
        response.data = {"code": code, "detail": _flatten(exc.detail)}
    return response


def json_error(request, code: str, detail: str, status_code: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status_code)
