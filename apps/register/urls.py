from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "register"

router = SimpleRouter()
router.register("areas", api.AreaViewSet, basename="area")
router.register("households", api.HouseholdViewSet, basename="household")
router.register("residents", api.ResidentViewSet, basename="resident")
router.register("party-orgs", api.PartyOrgViewSet, basename="party-org")
router.register("members", api.MemberViewSet, basename="member")
router.register("organisations", api.OrganisationViewSet, basename="organisation")

# Pages keep the /grids/ paths they had before the register had its own app (bookmarks).
urlpatterns = [
    path("api/", include(router.urls)),
    path("grids/households/", views.household_list, name="household-list"),
    path("grids/residents/", views.resident_list, name="resident-list"),
    path("grids/my-household/", views.my_household, name="my-household"),
]
