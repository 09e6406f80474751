"""Routes for responsibility groups, visits, problems, pairings, points and the report
(appended to apps/grids/urls.py, inside its "grids" namespace)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api_work, views_work

router = SimpleRouter()
router.register("groups", api_work.GroupViewSet, basename="group")
router.register("visits", api_work.VisitViewSet, basename="visit")
router.register("problems", api_work.ProblemViewSet, basename="problem")
router.register("pairings", api_work.PairingViewSet, basename="pairing")
router.register("points", api_work.PointsViewSet, basename="points")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/reports/grid/", api_work.GridReportView.as_view(), name="api-report-grid"),
    path("grids/leader/", views_work.leader, name="leader"),
    path("grids/visits/new/", views_work.visit_new, name="visit-new"),
    path("grids/problems/<int:pk>/", views_work.problem_detail, name="problem"),
    path("grids/worker/", views_work.worker, name="worker"),
    path("grids/pairings/new/", views_work.pairing_new, name="pairing-new"),
    path("grids/secretary/", views_work.secretary, name="secretary"),
    path("grids/report/", views_work.report, name="report"),
    path("grids/report.xlsx", views_work.report_xlsx, name="report-xlsx"),
    path("grids/ranking/", views_work.ranking, name="ranking"),
]
