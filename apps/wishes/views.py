"""Mobile-first pages for every role's part of the wish workflow. Each view parses the form,
calls one service (or selector) and renders; errors come back as the service's Chinese
`detail` in a message."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.accounts.scoping import scoped
from apps.core.conf import conf
from apps.core.errors import AppError
from apps.core.history import note_access, object_history
from apps.core.pagination import paginate
from apps.core.validators import parse_id
from apps.core.views import redirect_back
from apps.register.models import Area, Organisation

from . import selectors, services
from .models import Claim, Wish, WishCategory

S = Wish.Status


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _form_values(request) -> dict:
    post = request.POST
    return {
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "category": post.get("category", ""),
        "estimated_cost": post.get("estimated_cost", ""),
        "wanted_by": post.get("wanted_by", ""),
        "resident": post.get("resident", ""),
    }


def _submit_page(request, *, template: str, residents=None, picker=None):
    values, error = {}, None
    if request.method == "POST":
        values = _form_values(request)
        resident = None
        if residents is not None:
            resident = (
                residents.select_related("household__area")
                .filter(pk=parse_id(values["resident"]))
                .first()
            )
            if resident is None:
                error = _("请选择居民。")
            elif resident not in picker["found"]:  # shown again, chosen, if the form comes back
                picker["found"].insert(0, resident)
        wanted_by = _date(values["wanted_by"])
        if values["wanted_by"] and wanted_by is None:
            error = _("请填写正确的日期。")
        if error is None:
            try:
                services.wish_submit(
                    actor=request.user,
                    resident=resident,
                    title=values["title"],
                    description=values["description"],
                    category=values["category"],
                    estimated_cost=values["estimated_cost"],
                    wanted_by=wanted_by,
                    photos=request.FILES.getlist("photos"),
                )
            except AppError as exc:
                error = exc.detail
            else:
                messages.success(request, _("心愿已提交，等待网格员审核。"))
                return redirect("wishes:vetting" if residents is not None else "wishes:mine")
    context = {
        "categories": WishCategory.objects.filter(active=True),
        "values": values,
        "error": error,
        "entering": residents is not None,
        "picker": picker,
    }
    return render(request, template, context, status=400 if error else 200)


@login_required
def submit(request):
    return _submit_page(request, template="wishes/submit.html")


@login_required
def enter(request):
    """A grid worker at a workstation enters a wish for a resident (offline channel)."""
    if not request.user.is_superuser and not selectors.is_vetter(request.user):
        messages.error(request, _("只有网格员或书记可以代录心愿。"))
        return redirect("home")
    # The picker: a search box (GET ?q=, the same search as /api/wish-residents/, which
    # static/js/resident-picker.js calls as the worker types), never the whole list.
    q = request.GET.get("q", "").strip()[:60]
    found, more = selectors.resident_search(user=request.user, q=q)
    picker = {"q": q, "found": found, "more": more}
    residents = selectors.entry_residents(user=request.user)
    return _submit_page(request, template="wishes/submit.html", residents=residents, picker=picker)


PAGE_SIZE = 20


def _page(request, qs):
    """One page of `qs` (`?page=`; out-of-range pages show the last one)."""
    return paginate(request, qs, PAGE_SIZE)


def _with_names(request, wishes):
    wishes = list(wishes)
    for wish in wishes:
        _name(request, wish)
    return wishes


def _name(request, wish) -> None:
    """The resident's name as `request.user` may see it; the full name is an access."""
    wish.resident_display = selectors.resident_display(request.user, wish)
    if selectors.sees_resident(request.user, wish):
        note_access(request, wish.resident, ["name"])


def _claimable(request, wishes, organisations) -> list:
    """Each wish with what the user may do on the hall: `can_claim` and `claim_organisations`
    (the services' own checks, so no card offers a claim the service would refuse)."""
    for wish in wishes:
        wish.can_claim = "claim" in services.wish_moves(wish=wish, actor=request.user)
        wish.claim_organisations = services.wish_claim_organisations(
            wish=wish, actor=request.user, organisations=organisations
        )
        wish.is_own = wish.resident.user_id == request.user.pk
    return wishes


@login_required
def hall(request):
    category = request.GET.get("category") or None
    area = request.GET.get("area") or None
    try:
        wishes = selectors.wish_hall(
            user=request.user,
            category=int(category) if category else None,
            area=int(area) if area else None,
        )
    except ValueError:
        wishes = Wish.objects.none()
    areas = scoped(request.user, Area).filter(kind__in=[Area.Kind.COMMUNITY, Area.Kind.GRID])
    page = _page(request, wishes)
    organisations = list(
        Organisation.objects.select_related("area").filter(representatives=request.user)
    )
    cards = selectors.with_places(_with_names(request, page.object_list))
    context = {
        "page": page,
        "wishes": _claimable(request, cards, organisations),
        "categories": WishCategory.objects.filter(active=True),
        "areas": areas.order_by("path")[:200],
        "category": category,
        "area": area,
        "expiry_days": conf("WISH_CLAIM_EXPIRY_DAYS"),
    }
    return render(request, "wishes/hall.html", context)


@login_required
def claim(request, pk: int):
    """GET: the claim's confirmation step (what the member commits to) for browsers without
    the hall's sheet; POST: the claim itself (the same as every other move)."""
    if request.method == "POST":
        return act(request, pk, "claim")
    wish = selectors.wishes_visible_to(user=request.user).filter(pk=pk).first()
    if wish is None:
        raise Http404
    organisations = list(
        Organisation.objects.select_related("area").filter(representatives=request.user)
    )
    _name(request, wish)
    [wish] = _claimable(request, selectors.with_places([wish]), organisations)
    context = {"wish": wish, "expiry_days": conf("WISH_CLAIM_EXPIRY_DAYS")}
    return render(request, "wishes/claim.html", context)


@login_required
def mine(request):
    wishes = _with_names(request, selectors.my_wishes(user=request.user))
    return render(request, "wishes/mine.html", {"wishes": wishes})


@login_required
def claims(request):
    rows = selectors.my_claims(user=request.user)
    return render(request, "wishes/claims.html", {"claims": rows, "Active": Claim.Status.ACTIVE})


@login_required
def vetting(request):
    page = _page(request, selectors.vetting_queue(user=request.user))
    context = {"page": page, "wishes": _with_names(request, page.object_list)}
    return render(request, "wishes/vetting.html", context)


@login_required
def detail(request, pk: int):
    try:
        wish = selectors.wish_detail(user=request.user, pk=pk)
    except Wish.DoesNotExist as exc:
        raise Http404 from exc
    _name(request, wish)
    user = request.user
    moves = services.wish_moves(wish=wish, actor=user)
    organisations = Organisation.objects.select_related("area").filter(representatives=user)
    selectors.with_places([wish])
    context = {
        "wish": wish,
        "moves": moves,
        "can_vet": "publish" in moves,
        "claim_organisations": services.wish_claim_organisations(
            wish=wish, actor=user, organisations=organisations
        ),
        "fulfil_photos": selectors.fulfilment_photos(wish),
        "expiry_days": conf("WISH_CLAIM_EXPIRY_DAYS"),
        # Who did what names the resident too: only for those who see the resident's name.
        "show_actors": selectors.sees_resident(user, wish),
        "history": object_history(request, wish),
    }
    return render(request, "wishes/detail.html", context)


# One POST endpoint per move; each maps the form to its service and names the success. The
# form's `next` is where to go on success, `back` where to show a refusal (default: `next`).
ACTIONS = {
    "publish": (
        lambda w, r: services.wish_publish(wish=w, actor=r.user),
        gettext_lazy("心愿已发布。"),
    ),
    "reject": (
        lambda w, r: services.wish_reject(wish=w, actor=r.user, reason=r.POST.get("reason", "")),
        gettext_lazy("已退回，原因已告知居民。"),
    ),
    "withdraw": (
        lambda w, r: services.wish_withdraw(wish=w, actor=r.user),
        gettext_lazy("心愿已撤回。"),
    ),
    "claim": (
        lambda w, r: services.wish_claim(wish=w, actor=r.user, organisation=_organisation(r)),
        gettext_lazy("认领成功！请尽快联系居民完成心愿。"),
    ),
    "release": (
        lambda w, r: services.wish_release(wish=w, actor=r.user),
        gettext_lazy("已放弃认领。"),
    ),
    "fulfil": (
        lambda w, r: services.wish_fulfil(
            wish=w, actor=r.user, note=r.POST.get("note", ""), photo=r.FILES.get("photo")
        ),
        gettext_lazy("已标记完成，等待居民确认。"),
    ),
    "confirm": (
        lambda w, r: services.wish_confirm(
            wish=w, actor=r.user, rating=r.POST.get("rating"), comment=r.POST.get("comment", "")
        ),
        gettext_lazy("感谢您的评价！"),
    ),
}


def _organisation(request) -> Organisation | None:
    org_id = request.POST.get("organisation")
    if not org_id:
        return None
    return selectors.organisation_for_claim(user=request.user, org_id=org_id)


@login_required
@require_POST
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    wish = selectors.wishes_visible_to(user=request.user).filter(pk=pk).first()
    if wish is None:
        raise Http404
    service, success = ACTIONS[action]
    detail = reverse("wishes:detail", args=[pk])
    try:
        service(wish, request)
    except AppError as exc:
        messages.error(request, exc.detail, extra_tags=exc.code)
        return redirect_back(
            request, request.POST.get("back"), request.POST.get("next"), default=detail
        )
    messages.success(request, str(success))
    return redirect_back(request, request.POST.get("next"), default=detail)
