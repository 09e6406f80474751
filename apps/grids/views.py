"""Staff pages: scoped, masked lists of households and residents."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.scoping import scoped, sees_personal
from apps.core.masking import mask_name, mask_phone

from .models import Household, Resident

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def household_list(request):
    households = scoped(request.user, Household.objects.select_related("area"))
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(address__contains=query)
    page = _page(request, households.order_by("area__path", "unit", "room"))
    rows = [
        {
            "area": h.area.name,
            "address": h.address if sees_personal(request.user, h) else None,
        }
        for h in page
    ]
    return render(request, "grids/household_list.html", {"page": page, "rows": rows, "q": query})


@login_required
def resident_list(request):
    residents = scoped(request.user, Resident.objects.select_related("household__area"))
    query = request.GET.get("q", "").strip()
    if query:
        residents = residents.filter(name__contains=query)
    if request.GET.get("vulnerable") == "1":
        residents = residents.filter(vulnerable=True)
    page = _page(request, residents.order_by("household__area__path", "household__room", "id"))
    rows = []
    for r in page:
        personal = sees_personal(request.user, r)
        rows.append(
            {
                "name": r.name if personal else mask_name(r.name),
                "phone": r.phone if personal else mask_phone(r.phone),
                "building": r.household.area.name,
                "vulnerable": r.vulnerable if personal else None,
            }
        )
    context = {"page": page, "rows": rows, "q": query}
    return render(request, "grids/resident_list.html", context)
