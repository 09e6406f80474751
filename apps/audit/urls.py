from django.urls import path

from . import api, views

app_name = "audit"

urlpatterns = [
    path("audit/history/<str:label>/<int:pk>/", views.history, name="history"),
    path("audit/access/", views.access_log, name="access-log"),
    path("api/audit/history/<str:label>/<int:pk>/", api.HistoryView.as_view(), name="api-history"),
]
