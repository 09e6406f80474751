from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "projects"

router = SimpleRouter()
router.register("api/projects", api.ProjectViewSet, basename="project-api")
router.register("api/pledges", api.PledgeViewSet, basename="pledge-api")
router.register("api/review-sessions", api.SessionViewSet, basename="session-api")
router.register("api/joint-requests", api.JointRequestViewSet, basename="joint-api")
router.register(
    "api/joint-working-group", api.WorkingGroupMemberViewSet, basename="joint-group-api"
)

# Pages at /projects/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/new/", views.project_new, name="new"),
    path("projects/board/", views.board, name="board"),
    path("projects/pledges/", views.pledges, name="pledges"),
    path("projects/pledges/<int:pk>/confirm/", views.pledge_confirm, name="pledge_confirm"),
    path("projects/pledges/<int:pk>/comment/", views.pledge_comment, name="pledge_comment"),
    path("projects/sessions/", views.sessions, name="sessions"),
    path("projects/sessions/new/", views.session_new, name="session_new"),
    path("projects/sessions/<int:pk>/", views.session_detail, name="session"),
    path("projects/sessions/<int:pk>/score/", views.score, name="score"),
    path("projects/sessions/<int:pk>/results/", views.results, name="results"),
    path("projects/sessions/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("projects/sessions/<int:pk>/<slug:act>/", views.session_act, name="session_act"),
    path("projects/joint/", views.joint_list, name="joint_list"),
    path("projects/joint/new/", views.joint_new, name="joint_new"),
    path("projects/joint/board/", views.joint_board, name="joint_board"),
    path("projects/joint/group/", views.joint_group, name="joint_group"),
    path("projects/joint/<int:pk>/", views.joint_detail, name="joint"),
    path("projects/joint/<int:pk>/<slug:act>/", views.joint_act, name="joint_act"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("projects/<int:pk>/reports/", views.report_add, name="report_add"),
    path("projects/<int:pk>/<slug:move>/", views.project_act, name="act"),
    path("api/board/", api.BoardView.as_view(), name="board-api"),
    path("api/joint-board/", api.JointBoardView.as_view(), name="joint-board-api"),
    *router.urls,
]
