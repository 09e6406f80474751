from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "wishes"

router = SimpleRouter()
router.register("api/wishes", api.WishViewSet, basename="wish-api")

# Pages at /wishes/..., API at /api/wishes/... (both included at the root by config/urls.py).
urlpatterns = [
    path("wishes/", views.hall, name="hall"),
    path("wishes/new/", views.submit, name="submit"),
    path("wishes/enter/", views.enter, name="enter"),
    path("wishes/mine/", views.mine, name="mine"),
    path("wishes/claims/", views.claims, name="claims"),
    path("wishes/vetting/", views.vetting, name="vetting"),
    path("wishes/<int:pk>/", views.detail, name="detail"),
    path("wishes/<int:pk>/claim/", views.claim, name="claim"),
    path("wishes/<int:pk>/<slug:action>/", views.act, name="act"),
    path("api/wish-categories/", api.CategoryList.as_view(), name="category-api"),
    path("api/wish-residents/", api.ResidentPicker.as_view(), name="resident-picker-api"),
    *router.urls,
]
