"""Reads for volunteering, always scoped to a user (apps.accounts.scoping)."""

from decimal import Decimal

from django.db.models import Exists, F, OuterRef, QuerySet, Sum
from django.utils import timezone

from apps.accounts.scoping import scoped
from apps.register.models import Member

from .models import (
    Assignment,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    VolunteerRegistration,
)

OPEN = [VolunteerRegistration.Status.PENDING, VolunteerRegistration.Status.APPROVED]


def members_not_reported_in(*, user=None) -> QuerySet:
    """Employed members without an open registration (pending or approved) in communities
    that run at least one post; for a user, only the members they may see."""
    registered = VolunteerRegistration.objects.filter(member=OuterRef("pk"), status__in=OPEN)
    # Only where there is something to report in to: a community with an enabled post.
    posts = Post.objects.filter(community=OuterRef("community"), enabled=True)
    members = (
        Member.objects.filter(kind=Member.Kind.EMPLOYED)
        .filter(Exists(posts))
        .exclude(Exists(registered))
    )
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


def _hours(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def hours_report(*, user, date_from, date_to) -> dict:
    """Confirmed hours, person-times (人次: one per confirmed record) and distinct volunteers
    by community, post and team, for service days in [date_from, date_to]; only the records
    the user may see (scoped)."""
    from django.db.models import Count

    records = scoped(user, ServiceRecord).filter(
        status=ServiceRecord.Status.CONFIRMED, served_on__gte=date_from, served_on__lte=date_to
    )

    def by(field: str) -> list[dict]:
        rows = (
            records.exclude(**{f"{field}__isnull": True})
            .values(name=F(field))
            .annotate(
                hours=Sum("hours"),
                person_times=Count("pk"),
                volunteers=Count("member", distinct=True),
            )
            .order_by("-hours", "name")
        )
        return [{**row, "hours": _hours(row["hours"])} for row in rows]

    total = records.aggregate(hours=Sum("hours"), person_times=Count("pk"))
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "total_hours": _hours(total["hours"]),
        "total_person_times": total["person_times"],
        "by_community": by("occurrence__activity__community__name"),
        "by_post": by("occurrence__activity__post__name"),
        "by_team": by("occurrence__activity__team__name"),
    }


def hours_report_tables(report: dict) -> list:
    """The report as spreadsheet tables (apps.core.exports), one sheet per grouping."""
    from django.utils.translation import gettext as _

    from apps.core.exports import Table

    headers = [_("名称"), _("服务时长（小时）"), _("服务人次"), _("志愿者人数")]
    sheets = ((_("按社区"), "by_community"), (_("按岗位"), "by_post"), (_("按服务队"), "by_team"))
    return [
        Table(
            title,
            headers,
            [
                [r["name"], float(r["hours"]), r["person_times"], r["volunteers"]]
                for r in report[key]
            ],
        )
        for title, key in sheets
    ]
