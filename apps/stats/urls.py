from django.urls import path

from . import api, views

app_name = "stats"

urlpatterns = [
    path("api/stats/numbers/", api.NumbersView.as_view(), name="api-numbers"),
    path("stats/", views.numbers, name="numbers"),
    path("stats/numbers.xlsx", views.numbers_xlsx, name="numbers-xlsx"),
]
