from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "points"

router = SimpleRouter()
router.register("points", api.PointsViewSet, basename="points")

# The ranking page keeps the /grids/ path it had before the ledger had its own app.
urlpatterns = [
    path("api/", include(router.urls)),
    path("grids/ranking/", views.ranking, name="ranking"),
]
