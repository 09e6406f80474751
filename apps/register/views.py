"""Staff pages: scoped, masked lists of households and residents."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from apps.accounts.scoping import PERSONAL, scoped, sees_all_personal, sees_personal
from apps.core.history import may_see_history, note_access
from apps.core.masking import mask_name, mask_phone
from apps.core.pagination import paginate

from .models import Household, Resident

PAGE_SIZE = 50


def _page(request, queryset, *, search: str, order: tuple):
    """One page of `queryset` (already scoped), searched by `?q=` on the `search` field."""
    query = request.GET.get("q", "").replace("\x00", "").strip()  # NUL: PostgreSQL rejects it
    if query:  # only among rows whose personal data the user sees (see PersonalSearchFilter)
        queryset = scoped(request.user, queryset, PERSONAL).filter(**{f"{search}__contains": query})
    page = paginate(request, queryset.order_by(*order), PAGE_SIZE)
    return page, query


def _history_url(user, obj, label: str) -> str:
    """The link to the row's history for who may see it (decided in memory, no query)."""
    return reverse("audit:history", args=[label, obj.pk]) if may_see_history(user, obj) else ""


@login_required
def household_list(request):
    households = scoped(request.user, Household.objects.select_related("area"))
    page, query = _page(request, households, search="address", order=("area__path", "unit", "room"))
    rows = []
    for h in page:
        personal = sees_personal(request.user, h)
        if personal:
            note_access(request, h, ["address"])
        rows.append(
            {
                "area": h.area.name,
                "address": h.address if personal else None,
                "history": _history_url(request.user, h, "register.household"),
            }
        )
    return render(request, "register/household_list.html", {"page": page, "rows": rows, "q": query})


@login_required
def resident_list(request):
    residents = scoped(request.user, Resident.objects.select_related("household__area"))
    # A filter on a personal field only for who sees it on every row; ignored otherwise.
    if request.GET.get("vulnerable") == "1" and sees_all_personal(request.user, residents):
        residents = residents.filter(vulnerable=True)
    order = ("household__area__path", "household__room", "id")
    page, query = _page(request, residents, search="name", order=order)
    rows = []
    for r in page:
        personal = sees_personal(request.user, r)
        if personal:
            note_access(request, r, ["name", "phone", "vulnerable"])
        rows.append(
            {
                "name": r.name if personal else mask_name(r.name),
                "phone": r.phone if personal else mask_phone(r.phone),
                "building": r.household.area.name,
                "vulnerable": r.vulnerable if personal else None,
                "history": _history_url(request.user, r, "register.resident"),
            }
        )
    context = {"page": page, "rows": rows, "q": query}
    return render(request, "register/resident_list.html", context)


@login_required
def my_household(request):
    """A resident's own household(s) and the people in it: their own data, unmasked."""
    households = (
        scoped(request.user, Household.objects.select_related("area"))
        .filter(residents__user=request.user)
        .prefetch_related("residents")
        .distinct()
    )
    return render(request, "register/my_household.html", {"households": households})
