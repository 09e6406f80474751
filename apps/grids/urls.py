from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, api_fieldwork, views, views_fieldwork

app_name = "grids"

router = SimpleRouter()
router.register("areas", api.AreaViewSet, basename="area")
router.register("households", api.HouseholdViewSet, basename="household")
router.register("residents", api.ResidentViewSet, basename="resident")
router.register("party-orgs", api.PartyOrgViewSet, basename="party-org")
router.register("members", api.MemberViewSet, basename="member")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("groups", api_fieldwork.GroupViewSet, basename="group")
router.register("visits", api_fieldwork.VisitViewSet, basename="visit")
router.register("problems", api_fieldwork.ProblemViewSet, basename="problem")
router.register("pairings", api_fieldwork.PairingViewSet, basename="pairing")
router.register("points", api_fieldwork.PointsViewSet, basename="points")

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("api/", include(router.urls)),
    path("grids/households/", views.household_list, name="household-list"),
    path("grids/residents/", views.resident_list, name="resident-list"),
    path("grids/my-household/", views.my_household, name="my-household"),
    path("api/reports/grid/", api_fieldwork.GridReportView.as_view(), name="api-report-grid"),
    path("grids/leader/", views_fieldwork.leader, name="leader"),
    path("grids/visits/new/", views_fieldwork.visit_new, name="visit-new"),
    path("grids/problems/<int:pk>/", views_fieldwork.problem_detail, name="problem"),
    path("grids/worker/", views_fieldwork.worker, name="worker"),
    path("grids/pairings/new/", views_fieldwork.pairing_new, name="pairing-new"),
    path("grids/secretary/", views_fieldwork.secretary, name="secretary"),
    path("grids/report/", views_fieldwork.report, name="report"),
    path("grids/report.xlsx", views_fieldwork.report_xlsx, name="report-xlsx"),
    path("grids/report.csv", views_fieldwork.report_csv, name="report-csv"),
    path("grids/ranking/", views_fieldwork.ranking, name="ranking"),
]
