from django.urls import path  # noqa: F401

app_name = "grids"

# Pages at /<app>/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns: list = []
