from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "notifications"

router = SimpleRouter()
router.register("api/notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read-all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("api/notifications/preferences/", api.PreferenceView.as_view(), name="api-preferences"),
    path("api/notifications/broadcast/", api.BroadcastView.as_view(), name="api-broadcast"),
    *router.urls,
]
