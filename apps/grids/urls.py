from django.urls import path  # noqa: F401

app_name = "grids"

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns: list = []

# Groups, visits, problems, pairings, points and the report (issue 5).
from .urls_work import urlpatterns as work_urlpatterns  # noqa: E402

urlpatterns += work_urlpatterns
