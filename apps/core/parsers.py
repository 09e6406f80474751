"""The API's request parsers: DRF's three, refusing a body in which any text holds a control
character (400 `control_characters`). The backstop for views that read `request.data`
without a serializer; a serializer's fields refuse them too, naming the field (see
apps.core.apps). DRF imports these while defining APIView: keep this module's imports to
DRF and Django."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.exceptions import ErrorDetail

from .validators import has_control_characters


def _refuse_control_characters(data):
    values = list(data.lists()) if isinstance(data, QueryDict) else data
    if has_control_characters(values):
        detail = ErrorDetail(str(_("不能包含控制字符。")), code="control_characters")
        raise exceptions.ValidationError({"non_field_errors": [detail]})
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_control_characters(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_control_characters(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _refuse_control_characters(result.data)
        return result
