"""Reads for volunteering, always scoped to a user (apps.accounts.scoping)."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from apps.accounts.scoping import scoped
from apps.register.models import Member

from .models import (
    Assignment,
    Occurrence,
    ServiceRecord,
    SignUp,
    VolunteerRegistration,
)

OPEN = [VolunteerRegistration.Status.PENDING, VolunteerRegistration.Status.APPROVED]


def members_not_reported_in(*, user=None) -> QuerySet:
    """Employed members without an open registration (pending or approved); for a user,
    only the members they may see."""
    registered = VolunteerRegistration.objects.filter(member=OuterRef("pk"), status__in=OPEN)
    members = Member.objects.filter(kind=Member.Kind.EMPLOYED).exclude(Exists(registered))
    return scoped(user, members) if user is not None else members


def member_summary(*, member: Member) -> dict:
    """The member page: my post, my teams, my upcoming sign-ups, my hours."""
    now = timezone.now()
    confirmed = ServiceRecord.objects.filter(member=member, status=ServiceRecord.Status.CONFIRMED)
    return {
        "registration": VolunteerRegistration.objects.filter(member=member, status__in=OPEN)
        .select_related("choice_1", "choice_2", "choice_3", "community")
        .first(),
        "assignment": Assignment.objects.filter(member=member, status=Assignment.Status.ACTIVE)
        .select_related("post")
        .first(),
        "teams": list(member.volunteer_teams.all()),
        "signups": list(
            SignUp.objects.filter(
                member=member,
                status__in=[SignUp.Status.SIGNED_UP, SignUp.Status.WAITLISTED],
                ends_at__gte=now,
            ).select_related("occurrence__activity")
        ),
        "records": list(
            ServiceRecord.objects.filter(member=member).select_related("occurrence__activity")[:20]
        ),
        "hours_year": confirmed.filter(served_on__year=timezone.localdate().year).aggregate(
            s=Sum("hours")
        )["s"]
        or Decimal(0),
        "hours_total": confirmed.aggregate(s=Sum("hours"))["s"] or Decimal(0),
    }


def occurrences_open(*, user) -> QuerySet:
    return (
        scoped(user, Occurrence)
        .filter(status=Occurrence.Status.SCHEDULED, ends_at__gte=timezone.now())
        .select_related("activity")
        .order_by("starts_at", "pk")
    )
