"""Masked display of personal data for roles that may not see it (张*梅, 138****5678)."""


def mask_name(name: str) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    if not phone or len(phone) < 7:
        return "*" * len(phone or "")
    return phone[:3] + "****" + phone[-4:]


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_value(value, mask):
    """A personal value as shown to who may not see it: `mask(value)`, or None when the
    field is hidden (its mask is None). See `Scope.personal_fields`."""
    if mask is None:
        return None
    return mask(value) if value else ""
