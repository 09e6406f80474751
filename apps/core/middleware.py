"""Request guards that hold for every page and every API operation."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .validators import has_control_characters
from .views import error_page

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseControlCharacters:
    """A query string or form holding a control character (a NUL byte, an escape) is refused
    with 400 `control_characters` before any view sees it: no page or API has a use for one,
    PostgreSQL refuses NUL in text, and spreadsheets refuse the rest. JSON bodies are checked
    by the API's parsers (apps.core.parsers), which name the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = list(request.GET.lists())
        if request.method == "POST" and request.content_type in FORM_TYPES:
            values += list(request.POST.lists())
        if has_control_characters(values) or has_control_characters(request.path):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        exc = InvalidInput(_("不能包含控制字符。"), code="control_characters")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": exc.code, "detail": str(exc.detail)}, status=400)
        return error_page(request, exc)
