import pytest
from django.core.exceptions import ValidationError

from apps.core.masking import mask_name, mask_phone
from apps.core.validators import id_number_check_digit, validate_id_number, validate_phone

VALID_ID = "11010519491231002X"


def test_valid_id_number_passes():
    validate_id_number(VALID_ID)
    validate_id_number(VALID_ID.lower())


@pytest.mark.parametrize(
    "value",
    ["110105194912310021", "11010519491231002", "1101051949123100XX", "110105194913310020", ""],
)
def test_bad_id_numbers_are_rejected(value):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == "invalid_id_number"


def test_check_digit_matches_gb11643():
    assert id_number_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("value", ["13912345678", "19900000000"])
def test_mainland_mobile_numbers_pass(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["23912345678", "1391234567", "139123456789", "1391234567a", ""])
def test_malformed_phones_are_rejected(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_masks_keep_first_and_last():
    assert mask_name("张秀梅") == "张*梅"
    assert mask_name("王五") == "王*"
    assert mask_phone("13912345678") == "139****5678"


@pytest.mark.parametrize("value, expected", [(1, 1), (5, 5), ("3", 3), (" 4 ", 4)])
def test_clean_rating_takes_one_to_five(value, expected):
    from apps.core.validators import clean_rating

    assert clean_rating(value) == expected


@pytest.mark.parametrize("value", [0, 6, -1, True, 4.5, "4.5", "", None, "五", "٣", [3]])
def test_clean_rating_refuses_anything_else_with_one_code(value):
    from apps.core.errors import InvalidInput
    from apps.core.validators import clean_rating

    with pytest.raises(InvalidInput) as exc:
        clean_rating(value)
    assert exc.value.code == "invalid_rating" and "rating" in exc.value.errors
