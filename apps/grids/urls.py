from django.urls import include, path  # noqa: F401

app_name = "grids"

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns: list = []

# Responsibility groups, visits, problems, pairings, points, report (issue 5).
from rest_framework.routers import DefaultRouter  # noqa: E402

from . import api_work, views  # noqa: E402

work_router = DefaultRouter()
work_router.register("groups", api_work.GroupViewSet, basename="group")
work_router.register("visits", api_work.VisitViewSet, basename="visit")
work_router.register("problems", api_work.ProblemViewSet, basename="problem")
work_router.register("pairings", api_work.PairingViewSet, basename="pairing")
work_router.register("points", api_work.PointsViewSet, basename="points")

urlpatterns += [
    path("api/", include(work_router.urls)),
    path("api/reports/grid/", api_work.GridReportView.as_view(), name="api-report-grid"),
    path("grids/leader/", views.leader, name="leader"),
    path("grids/visits/new/", views.visit_new, name="visit-new"),
    path("grids/problems/<int:pk>/", views.problem_detail, name="problem"),
    path("grids/worker/", views.worker, name="worker"),
    path("grids/pairings/new/", views.pairing_new, name="pairing-new"),
    path("grids/secretary/", views.secretary, name="secretary"),
    path("grids/report/", views.report, name="report"),
    path("grids/report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("grids/ranking/", views.ranking, name="ranking"),
]
