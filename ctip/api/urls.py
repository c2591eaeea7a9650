"""API routes: /api/v1/..., the OpenAPI schema at /api/schema/ and its interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ctip.access import api as access_api
from ctip.linkage.api import register as register_linkage
from ctip.reference import api as reference_api
from ctip.referrals.api import register as register_referrals
from ctip.registry import api as registry_api

from .views import TokenView

# Path converters (not regexes) so that ids are typed as integers in the schema.
router = DefaultRouter(use_regex_path=False)
# One URL per resource: ?format=json still works, .json suffixes would only double the schema.
router.include_format_suffixes = False
for routes in (registry_api.ROUTES, reference_api.ROUTES, access_api.ROUTES):
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
register_referrals(router)
register_linkage(router)

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
]
