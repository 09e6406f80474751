from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "grids"

router = SimpleRouter()
router.register("areas", api.AreaViewSet, basename="area")
router.register("households", api.HouseholdViewSet, basename="household")
router.register("residents", api.ResidentViewSet, basename="resident")
router.register("party-orgs", api.PartyOrgViewSet, basename="party-org")
router.register("members", api.MemberViewSet, basename="member")
router.register("organisations", api.OrganisationViewSet, basename="organisation")

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("api/", include(router.urls)),
    path("grids/households/", views.household_list, name="household-list"),
    path("grids/residents/", views.resident_list, name="resident-list"),
    path("grids/my-household/", views.my_household, name="my-household"),
]

# Groups, visits, problems, pairings, points and the report (issue 5).
from .urls_work import urlpatterns as work_urlpatterns  # noqa: E402

urlpatterns += work_urlpatterns
