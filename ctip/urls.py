"""Top-level URL map: web pages, the REST API, the admin site, language switching."""

from django.contrib import admin
from django.urls import include, path

from ctip.access.views import SignInView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin site's sign-in is ctip's own (above admin's, so it wins): the same lockout,
    # audit of every failure, and the one-time-code step before any admin page.
    path("admin/login/", SignInView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/", include("ctip.api.urls")),
    path("account/", include("ctip.access.urls")),
    path("audit/", include("ctip.audit.urls")),
    path("", include("ctip.web.urls")),
    path("", include("ctip.registry.urls")),
    path("stats/", include("ctip.stats.urls")),
    path("referrals/", include("ctip.referrals.urls")),
    path("exchange/", include("ctip.exchange.urls")),
    path("linkage/", include("ctip.linkage.urls")),
    path("verification/", include("ctip.verification.urls")),
    path("", include("ctip.intake.urls")),
    path("operations/", include("ctip.screening.urls")),
    path("investigations/", include("ctip.investigations.urls")),
]

# JSON under /api/, the site's page elsewhere.
handler404 = "ctip.api.views.not_found"
# The 400 page says what was wrong with the request (Django's own shows nothing).
handler400 = "ctip.web.views.bad_request"
