from django.urls import path

from . import api

app_name = "live"

urlpatterns = [
    path("api/live/sync/", api.SyncView.as_view(), name="sync"),
]
