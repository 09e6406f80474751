from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "projects"

router = SimpleRouter()
router.register("api/projects", api.ProjectViewSet, basename="project-api")
router.register("api/pledges", api.PledgeViewSet, basename="pledge-api")
router.register("api/review-sessions", api.SessionViewSet, basename="session-api")

# Pages at /projects/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("api/board/", api.BoardView.as_view(), name="board-api"),
    *router.urls,
]
