from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core import views as core_views
from apps.core.health import HealthzView

# The admin in Chinese (its own "Django 管理" otherwise); templates/admin/base_site.html adds
# larger type and a phone layout (static/css/admin.css).
admin.site.site_header = _("同心 管理")
admin.site.site_title = _("同心 管理")
admin.site.index_title = _("管理首页")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("sw.js", core_views.service_worker, name="service-worker"),
    path("healthz", HealthzView.as_view(), name="healthz"),
    # Admin bookmarks from before the register and the points ledger left `grids`.
    re_path(
        r"^admin/grids/(?P<model>area|household|resident|partyorg|member|organisation)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/register/%(model)s/%(rest)s", query_string=True),
    ),
    re_path(
        r"^admin/grids/(?P<model>pointsrule|pointsentry)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/points/%(model)s/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.register.urls")),
    path("", include("apps.points.urls")),
    path("", include("apps.grids.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.wishes.urls")),
    path("", include("apps.volunteers.urls")),
    path("", include("apps.projects.urls")),
    path("", include("apps.rosters.urls")),
    path("", include("apps.stats.urls")),
    path("", include("apps.audit.urls")),
    path("", include("apps.live.urls")),
]
# Uploads always go through the media view (nosniff, a sandboxing CSP, a safe disposition),
# whether or not DEBUG; production may serve them from another origin with the same headers.
urlpatterns.append(
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", core_views.media, name="media")
)

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
