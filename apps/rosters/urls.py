from django.urls import path

from . import views

app_name = "rosters"

urlpatterns = [
    path("rosters/", views.upload, name="upload"),
    path("rosters/jobs/<int:pk>/", views.job_detail, name="job"),
    path("rosters/jobs/<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("rosters/jobs/<int:pk>/errors/", views.job_error_file, name="error-file"),
    path("rosters/templates/<str:kind>.xlsx", views.template_download, name="template"),
    path("rosters/export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("api/rosters/jobs/<int:pk>/progress/", views.job_progress, name="progress"),
]
