from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "volunteers"

router = SimpleRouter()
router.register("api/volunteer-posts", api.PostViewSet, basename="post-api")
router.register("api/volunteer-registrations", api.RegistrationViewSet, basename="registration-api")
router.register("api/volunteer-teams", api.TeamViewSet, basename="team-api")
router.register("api/volunteer-activities", api.ActivityViewSet, basename="activity-api")
router.register("api/volunteer-occurrences", api.OccurrenceViewSet, basename="occurrence-api")
router.register("api/volunteer-signups", api.SignUpViewSet, basename="signup-api")
router.register("api/volunteer-records", api.RecordViewSet, basename="record-api")
router.register("api/volunteer-certificates", api.CertificateViewSet, basename="certificate-api")
router.register("api/volunteer-needs", api.NeedViewSet, basename="need-api")

# Pages at /volunteers/..., API at /api/... (both included at the root by config/urls.py).
urlpatterns = [
    path("volunteers/", views.home, name="home"),
    path("volunteers/register/", views.register, name="register"),
    path("volunteers/manage/", views.manage, name="manage"),
    path("volunteers/registrations/<int:pk>/approve/", views.approve, name="approve"),
    path("volunteers/proposal/<int:community>/", views.proposal, name="proposal"),
    path("volunteers/occurrences/<int:pk>/", views.occurrence, name="occurrence"),
    path("volunteers/occurrences/<int:pk>/qr.svg", views.occurrence_qr, name="occurrence-qr"),
    path(
        "volunteers/occurrences/<int:pk>/<slug:action>/",
        views.occurrence_act,
        name="occurrence-act",
    ),
    path("volunteers/checkin/<str:token>/", views.checkin, name="checkin"),
    path("volunteers/records/<int:pk>/<slug:action>/", views.record_act, name="record-act"),
    path("volunteers/certificates/issue/", views.certificate_issue, name="certificate-issue"),
    path("volunteers/certificates/<int:pk>/", views.certificate, name="certificate"),
    path("volunteers/certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("volunteers/certificates/verify/<str:code>/", views.verify, name="verify"),
    path("volunteers/reports/", views.report, name="report"),
    path("volunteers/needs/", views.needs, name="needs"),
    path("volunteers/needs/new/", views.need_new, name="need-new"),
    path("volunteers/needs/<int:pk>/<slug:action>/", views.need_act, name="need-act"),
    path("api/volunteer-reports/hours/", api.ReportView.as_view(), name="report-api"),
    path("api/volunteer-proposals/", api.ProposalView.as_view(), name="proposal-api"),
    *router.urls,
]
