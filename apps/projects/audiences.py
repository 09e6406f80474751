"""Audiences resolved in the notifications worker: the signers of a joint request."""

from django.db.models import Q

from apps.notifications.audiences import resolver


def joint_signers(request_id: int) -> dict:
    """Every resident with an active signature on the request; a resident without a login
    is told through the staff member who entered their signature (as with wishes)."""
    return {"kind": "joint_signers", "request": int(request_id)}


@resolver("joint_signers")
def _joint_signers(audience: dict) -> Q:
    from .models import Signature

    active = Signature.objects.filter(request=audience["request"], withdrawn_at__isnull=True)
    with_login = active.filter(resident__user__isnull=False).values("resident__user")
    entered = active.filter(resident__user__isnull=True).values("entered_by")
    return Q(pk__in=with_login) | Q(pk__in=entered)
