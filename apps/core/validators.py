"""Validators for Chinese identity data: mainland mobile numbers and 18-digit ID numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 control characters and DEL, but tab, line feed and carriage return (multi-line notes).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PHONE_RE = re.compile(r"^1\d{10}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(_("手机号应为以1开头的11位数字。"), code="invalid_phone")


def id_number_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


# One lookup table per position (digit -> digit * weight): the roster import checks 100,000
# numbers, and this is several times faster than multiplying in a generator.
_ID_TABLES = [{str(d): d * w for d in range(10)} for w in _ID_WEIGHTS]


def id_number_is_valid(value: str, *, today: datetime.date | None = None) -> bool:
    """Whether `value` (upper case) is a valid 18-digit ID number: format, birth date, check
    digit. Fast; `validate_id_number` says what is wrong with one that is not."""
    if not ID_RE.match(value):
        return False
    total = 0
    for table, char in zip(_ID_TABLES, value, strict=False):
        total += table[char]
    if _ID_CHECK[total % 11] != value[17]:
        return False
    born = id_number_birth_date(value)
    return born is not None and born.year >= 1900 and born <= (today or datetime.date.today())


def validate_id_number(value: str) -> None:
    value = (value or "").upper()
    if not ID_RE.match(value):
        raise ValidationError(_("身份证号应为18位，最后一位可为X。"), code="invalid_id_number")
    born = id_number_birth_date(value)
    if born is None or born > datetime.date.today() or born.year < 1900:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="invalid_id_number")
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确。"), code="invalid_id_number")


def validate_no_control_characters(value) -> None:
    """Refuse control characters in text (a NUL breaks PostgreSQL, others break the .xlsx
    exports and hide text). Wired as the default validator of every DRF CharField and
    JSONField (strings inside it too) and every form CharField: apps.core.apps."""
    if has_control_characters(value):
        raise ValidationError(_("不能包含控制字符。"), code="control_characters")


def parse_id(value) -> int | None:
    """A row id from what a user sent, or None: ASCII digits only, within a bigint. Never
    raises, so `filter(pk=parse_id(text))` finds nothing for "abc", "1e9" or "-1"."""
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def has_control_characters(value) -> bool:
    if isinstance(value, str):
        return CONTROL_RE.search(value) is not None
    if isinstance(value, dict):
        return any(has_control_characters(v) for item in value.items() for v in item)
    if isinstance(value, list | tuple):
        return any(has_control_characters(v) for v in value)
    return False


def invalid(field: str, message: str, code: str):
    """A 400 that names the field, for services checking their own input."""
    from apps.core.errors import InvalidInput

    return InvalidInput(message, code=code, errors={field: [message]})


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Text a service takes from a form or the API: stripped, no control characters (pages
    post straight to the services), present if required, at most `max_length` characters."""
    from django.utils.translation import gettext

    value = (value or "").strip()
    if has_control_characters(value):
        raise invalid(field, gettext("不能包含控制字符。"), "control_characters")
    if required and not value:
        raise invalid(field, gettext("请填写%(label)s。") % {"label": label}, f"{field}_required")
    if len(value) > max_length:
        message = gettext("%(label)s不能超过%(max)d个字。") % {"label": label, "max": max_length}
        raise invalid(field, message, f"{field}_too_long")
    return value


RATING_RE = re.compile(r"^\s*[1-5]\s*$")


def clean_rating(value, *, field: str = "rating") -> int:
    """A 1–5 star rating (wishes, volunteers' needs) from a form or the API: an integer, or
    its digit as text. Anything else (0, 6, 4.5, True, "", None) is `invalid_rating`."""
    from django.utils.translation import gettext

    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    if isinstance(value, str) and RATING_RE.match(value):
        return int(value)
    raise invalid(field, gettext("请给出 1 到 5 星的评分。"), "invalid_rating")
