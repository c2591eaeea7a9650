"""API routes: /api/v1/..., the OpenAPI schema at /api/schema/ and its interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from ctip.access import api as access_api
from ctip.investigations.api import register as register_investigations
from ctip.linkage.api import register as register_linkage
from ctip.reference import api as reference_api
from ctip.referrals.api import register as register_referrals
from ctip.registry import api as registry_api
from ctip.screening.api import register as register_screening
from ctip.verification.api import register as register_verification

from .views import RedocView, TokenView


class Router(DefaultRouter):
    """DRF's router with integer ids unless a viewset names its own converter.

    DRF's default converter is `path`, which hands `abc` to views that call int() on it (a
    500); `int` answers 404 at URL resolution and types the id as an integer in the schema.
    """

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)
        self._default_value_pattern = "int"


router = Router()
# One URL per resource: ?format=json still works, .json suffixes would only double the schema.
router.include_format_suffixes = False
for routes in (registry_api.ROUTES, reference_api.ROUTES, access_api.ROUTES):
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
register_referrals(router)
register_linkage(router)
register_verification(router)
register_screening(router)
register_investigations(router)

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), not inline.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path(
        "redoc/",
        # ReDoc writes its styles into the page and renders in a blob: worker; its scripts
        # stay as strict as everywhere else.
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            RedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
]
