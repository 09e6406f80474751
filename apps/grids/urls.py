from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "grids"

router = SimpleRouter()
router.register("groups", api.GroupViewSet, basename="group")
router.register("visits", api.VisitViewSet, basename="visit")
router.register("problems", api.ProblemViewSet, basename="problem")
router.register("pairings", api.PairingViewSet, basename="pairing")

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("api/", include(router.urls)),
    path("api/reports/grid/", api.GridReportView.as_view(), name="api-report-grid"),
    path("grids/leader/", views.leader, name="leader"),
    path("grids/visits/new/", views.visit_new, name="visit-new"),
    path("grids/problems/<int:pk>/", views.problem_detail, name="problem"),
    path("grids/worker/", views.worker, name="worker"),
    path("grids/pairings/new/", views.pairing_new, name="pairing-new"),
    path("grids/pairings/mine/", views.helper, name="helper"),
    path("grids/secretary/", views.secretary, name="secretary"),
    path("grids/report/", views.report, name="report"),
    path("grids/report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("grids/report.csv", views.report_csv, name="report-csv"),
]
