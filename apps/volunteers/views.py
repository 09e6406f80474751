"""Phone-first pages: the member's volunteering page (register, sign up, my hours), the
secretary's page (approve, proposal, not yet reported in) and the organiser's occurrence
page (check-in QR code, attendance, hours). Each view parses the form, calls one service
(or selector) and renders; `page` turns a service error into a message."""

import io

import segno
from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.scoping import CHANGE, grants, scoped
from apps.core.db import on_replica
from apps.core.errors import Forbidden, InvalidInput
from apps.core.history import note_access
from apps.core.validators import parse_id
from apps.core.views import get_or_404, page, redirect_back
from apps.register.models import Area, Member

from . import selectors, services
from .models import (
    ORGANISERS,
    Certificate,
    Need,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    VolunteerRegistration,
)


def _member(user) -> Member | None:
    return Member.objects.select_related("community").filter(user=user).first()


@page
def home(request):
    member = _member(request.user)
    context = {"member": member, "occurrences": selectors.occurrences_open(user=request.user)[:20]}
    if member is not None:
        context.update(selectors.member_summary(member=member))
        context["posts"] = Post.objects.filter(community=member.community_id, enabled=True)
        context["signed"] = {s.occurrence_id: s for s in context["signups"]}
    return render(request, "volunteers/home.html", context)


@page
@require_POST
def register(request):
    member = _member(request.user)
    if member is None:
        raise Forbidden(_("只有登记在册的党员可以参加志愿服务。"), code="not_a_member")
    community = get_or_404(Area.objects, request.POST.get("community") or member.community_id)
    services.registration_submit(
        actor=request.user,
        community=community,
        choices=[request.POST.get(f"choice_{i}") or None for i in (1, 2, 3)],
        skills=request.POST.get("skills", ""),
        available_times=request.POST.get("available_times", ""),
    )
    messages.success(request, _("已提交报到，等待社区书记审核。"))
    return redirect("volunteers:home")


def _managed_communities(user):
    """The communities where `user` is secretary or administrator (or below their node)."""
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY)
    if user.is_superuser:
        return communities
    paths = [g.area_path for g in grants(user) if g.role in ORGANISERS and g.area_path]
    if not paths:
        raise Forbidden(_("只有本社区书记或管理员可以执行该操作。"), code="not_organiser")
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return communities.filter(q)


@page
def manage(request):
    communities = _managed_communities(request.user).order_by("path")
    registrations = (
        scoped(request.user, VolunteerRegistration, CHANGE)
        .filter(status=VolunteerRegistration.Status.PENDING)
        .select_related("member", "community", "choice_1", "choice_2", "choice_3")
        .order_by("created_at", "pk")
    )
    registrations = list(registrations[:100])
    not_reported = list(
        selectors.members_not_reported_in(user=request.user)
        .filter(community__in=communities)
        .order_by("community", "name")[:100]
    )
    records = list(
        scoped(request.user, ServiceRecord, CHANGE)
        .filter(status=ServiceRecord.Status.PENDING)
        .select_related("member", "occurrence__activity")[:100]
    )
    # The secretary sees the members' names in full: a personal-data access each.
    for member in [r.member for r in registrations] + not_reported + [r.member for r in records]:
        note_access(request, member, ["name"])
    context = {
        "communities": communities,
        "registrations": registrations,
        "posts": scoped(request.user, Post, CHANGE).order_by("community", "name"),
        "not_reported": not_reported,
        "records": records,
        "occurrences": scoped(request.user, Occurrence, CHANGE)
        .filter(status=Occurrence.Status.SCHEDULED)
        .select_related("activity")
        .order_by("starts_at")[:50],
    }
    return render(request, "volunteers/manage.html", context)


@page
@require_POST
def approve(request, pk):
    registration = get_or_404(scoped(request.user, VolunteerRegistration, CHANGE), pk)
    post = Post.objects.filter(
        pk=parse_id(request.POST.get("post")), community=registration.community_id
    ).first()
    services.registration_approve(actor=request.user, registration=registration, post=post)
    messages.success(request, _("已通过并安排岗位。"))
    return redirect("volunteers:manage")


@page
def proposal(request, community):
    community = get_or_404(_managed_communities(request.user), community)
    if request.method == "POST":
        lines = [
            (key.removeprefix("line_"), value)
            for key, value in request.POST.items()
            if key.startswith("line_") and value
        ]
        made = services.proposal_accept(actor=request.user, community=community, lines=lines)
        messages.success(request, _("已按方案安排 %(n)d 人上岗。") % {"n": len(made)})
        return redirect("volunteers:manage")
    lines = services.proposal_make(actor=request.user, community=community)
    posts = Post.objects.filter(community=community, enabled=True)
    return render(
        request,
        "volunteers/proposal.html",
        {"community": community, "lines": lines, "posts": posts},
    )


@page
def occurrence(request, pk):
    occ = get_or_404(scoped(request.user, Occurrence).select_related("activity"), pk)
    organiser = scoped(request.user, Occurrence, CHANGE).filter(pk=occ.pk).exists()
    context = {"occ": occ, "organiser": organiser}
    if organiser:
        token = services.checkin_token(occurrence=occ)
        context["checkin_url"] = request.build_absolute_uri(
            reverse("volunteers:checkin", args=[token])
        )
        signups = list(occ.signups.select_related("member").exclude(status="cancelled"))
        for signup in signups:  # the organiser sees the signers' names
            note_access(request, signup.member, ["name"])
        context["signups"] = signups
        context["records"] = {r.member_id: r for r in occ.records.all()}
    member = _member(request.user)
    if member is not None:
        mine = occ.signups.filter(member=member).exclude(status="cancelled").first()
        context["mine"] = mine
        context["position"] = services.waitlist_position(mine) if mine else None
    return render(request, "volunteers/occurrence.html", context)


@page
def occurrence_qr(request, pk):
    """The check-in QR code as SVG (a fresh signed link at every load)."""
    occ = get_or_404(scoped(request.user, Occurrence, CHANGE), pk)
    url = request.build_absolute_uri(
        reverse("volunteers:checkin", args=[services.checkin_token(occurrence=occ)])
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@page
@require_POST
def occurrence_act(request, pk, action):
    occ = get_or_404(scoped(request.user, Occurrence).select_related("activity"), pk)
    if action == "signup":
        signup = services.signup_create(actor=request.user, occurrence=occ)
        if signup.status == SignUp.Status.WAITLISTED:
            messages.info(request, _("名额已满，您已进入候补。"))
        else:
            messages.success(request, _("报名成功。"))
    elif action == "withdraw":
        member = _member(request.user)
        signup = get_or_404(
            occ.signups.filter(member=member).exclude(status="cancelled"),
            request.POST.get("signup"),
        )
        services.signup_cancel(actor=request.user, signup=signup)
        messages.success(request, _("已取消报名。"))
    elif action == "cancel":
        services.occurrence_cancel(
            actor=request.user, occurrence=occ, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("已取消该场活动，报名者将收到通知。"))
    elif action == "attend":
        member = get_or_404(
            Member.objects.filter(signups__occurrence=occ, signups__status="signed_up"),
            request.POST.get("member"),
        )
        services.attendance_mark(actor=request.user, occurrence=occ, member=member)
        messages.success(request, _("已登记出勤。"))
    else:
        raise InvalidInput(_("未知操作。"), code="unknown_action")
    default = reverse("volunteers:occurrence", args=[occ.pk])
    return redirect_back(request, request.POST.get("next"), default=default)


@page
def checkin(request, token):
    """Where the QR code leads: the phone's camera opens it, the member taps "签到"."""
    occ = services.occurrence_by_token(token=token)
    if request.method == "POST":
        record = services.checkin(actor=request.user, occurrence=occ, token=token)
        messages.success(
            request, _("签到成功，服务时长 %(h)s 小时待组织者确认。") % {"h": record.hours}
        )
        return redirect("volunteers:home")
    return render(request, "volunteers/checkin.html", {"occ": occ})


@page
@require_POST
def record_act(request, pk, action):
    record = get_or_404(
        scoped(request.user, ServiceRecord).select_related("member", "occurrence__activity"), pk
    )
    if action == "confirm":
        services.record_confirm(actor=request.user, record=record)
        messages.success(request, _("服务时长已确认。"))
    elif action == "decline":
        services.record_decline(
            actor=request.user, record=record, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("已标记为未确认。"))
    elif action == "amend":
        services.record_amend(
            actor=request.user,
            record=record,
            hours=request.POST.get("hours", ""),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("服务时长已修改。"))
    else:
        raise InvalidInput(_("未知操作。"), code="unknown_action")
    return redirect_back(request, request.POST.get("next"), default=reverse("volunteers:manage"))


def _qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False)
    return out.getvalue().decode()


@page
@require_POST
def certificate_issue(request):
    member = _member(request.user)
    if member is None:
        raise Forbidden(_("只有登记在册的党员可以参加志愿服务。"), code="not_a_member")
    certificate = services.certificate_issue(actor=request.user, member=member)
    return redirect("volunteers:certificate", pk=certificate.pk)


@page
def certificate(request, pk):
    """The printable certificate (A4 in print, readable on a phone)."""
    cert = get_or_404(scoped(request.user, Certificate).select_related("member"), pk)
    verify_url = request.build_absolute_uri(reverse("volunteers:verify", args=[cert.verify_code]))
    context = {"cert": cert, "verify_url": verify_url, "qr_svg": _qr_svg(verify_url)}
    note_access(request, cert.member, ["name"])  # someone else's certificate names them
    return render(request, "volunteers/certificate.html", context)


@page
def certificate_pdf(request, pk):
    """The same certificate as a PDF download (same scope: someone else's is a 404)."""
    from .certificates import certificate_pdf as render_pdf
    from .certificates import pdf_response

    cert = get_or_404(scoped(request.user, Certificate).select_related("member"), pk)
    verify_url = request.build_absolute_uri(reverse("volunteers:verify", args=[cert.verify_code]))
    note_access(request, cert.member, ["name"], channel="export", row_count=1)
    return pdf_response(render_pdf(cert, verify_url=verify_url), f"{cert.serial}.pdf")


def verify(request, code):
    """Public: confirms a certificate exists, with no personal data but the masked name."""
    from apps.core.masking import mask_name

    cert = Certificate.objects.filter(verify_code=code).first()
    context = {"cert": cert, "masked_name": mask_name(cert.name) if cert else ""}
    return render(request, "volunteers/verify.html", context, status=200 if cert else 404)


@page
@on_replica
def report(request):
    """Hours and person-times for a date range, on the page and as .xlsx (`?format=xlsx`)."""
    from apps.core.exports import XLSX_TYPE, xlsx_bytes

    from .api import VolunteerReportInput, report_range

    _managed_communities(request.user)  # organisers only
    serializer = VolunteerReportInput(data=request.GET)
    date_from, date_to = report_range(serializer.validated_data if serializer.is_valid() else {})
    data = selectors.hours_report(user=request.user, date_from=date_from, date_to=date_to)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(xlsx_bytes(selectors.hours_report_tables(data)), XLSX_TYPE)
        name = f"volunteer-hours-{date_from}-{date_to}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "volunteers/report.html", {"report": data})


def _wanted_at(value: str):
    """The form's `datetime-local` ("2026-12-01T09:30") in the site's time zone."""
    moment = parse_datetime(value or "") if len(value or "") <= 32 else None
    if moment is None:
        raise InvalidInput(_("请填写正确的服务时间。"), code="invalid_datetime")
    return make_aware(moment) if is_naive(moment) else moment


@page
def need_new(request):
    """Record a need (服务需求): staff for an area in their scope, a resident for their own
    household. The same service as `POST /api/volunteer-needs/`."""
    resident = getattr(request.user, "resident", None)
    areas = (
        scoped(request.user, Area)
        .filter(kind__in=[Area.Kind.COMMUNITY, Area.Kind.GRID, Area.Kind.BUILDING])
        .order_by("path")[:300]
    )
    if request.method == "POST":
        if request.POST.get("area"):
            area = get_or_404(scoped(request.user, Area), request.POST["area"])
            for_resident = None
        elif resident is not None:
            area, for_resident = resident.household.area, resident
        else:
            raise InvalidInput(_("请选择区域。"), code="area_required")
        need = services.need_create(
            actor=request.user,
            area=area,
            resident=for_resident,
            title=request.POST.get("title", ""),
            skills=request.POST.get("skills", ""),
            place=request.POST.get("place", ""),
            wanted_at=_wanted_at(request.POST.get("wanted_at")),
        )
        messages.success(request, _("服务需求已登记。"))
        return redirect(f"{reverse('volunteers:needs')}#need-{need.pk}")
    context = {"areas": areas, "resident": resident}
    return render(request, "volunteers/need_new.html", context)


@page
def needs(request):
    """One page for the three roles of a need: staff dispatch, the volunteer answers, the
    resident rates."""
    staff = scoped(request.user, Need, CHANGE).filter(status=Need.Status.OPEN)
    staff = list(staff.select_related("area").order_by("wanted_at")[:50])
    for need in staff:
        need.candidates = services.need_candidates(need=need, limit=5)
        for row in need.candidates:  # candidates named in full: an access each
            note_access(request, Member(pk=row["member"]), ["name"])
    to_rate = list(
        Need.objects.filter(resident__user=request.user, status=Need.Status.DONE).select_related(
            "volunteer"
        )
    )
    for need in to_rate:  # the resident sees the volunteer's name
        if need.volunteer is not None:
            note_access(request, need.volunteer, ["name"])
    context = {
        "to_dispatch": staff,
        "mine": Need.objects.filter(
            volunteer__user=request.user, status__in=[Need.Status.OFFERED, Need.Status.ACCEPTED]
        ).order_by("wanted_at"),
        "to_rate": to_rate,
    }
    return render(request, "volunteers/needs.html", context)


@page
@require_POST
def need_act(request, pk, action):
    visible = scoped(request.user, Need) | Need.objects.filter(volunteer__user=request.user)
    need = get_or_404(visible.select_related("area", "volunteer", "resident").distinct(), pk)
    if action == "dispatch":
        member = get_or_404(Member.objects.all(), request.POST.get("member"))
        services.need_dispatch(actor=request.user, need=need, member=member)
    elif action == "accept":
        services.need_accept(actor=request.user, need=need)
    elif action == "decline":
        services.need_decline(actor=request.user, need=need, reason=request.POST.get("reason", ""))
    elif action == "complete":
        services.need_complete(actor=request.user, need=need, note=request.POST.get("note", ""))
    elif action == "confirm":
        services.need_confirm(
            actor=request.user,
            need=need,
            rating=request.POST.get("rating"),
            comment=request.POST.get("comment", ""),
        )
    else:
        raise InvalidInput(_("未知操作。"), code="unknown_action")
    messages.success(request, _("已提交。"))
    return redirect("volunteers:needs")
