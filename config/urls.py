"""Root URLs: the versioned API, its schema and docs, health, and (for operators) the admin."""

from csp.constants import NONE, SELF
from csp.decorators import csp
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.auth.admin_login import throttled_admin_login
from api.committed_schema import CommittedSchemaView
from api.health import HealthView
from api.slash_twins import slash_twin_route
from fhir_import.views import BundleViewSet

# The docs pages load Swagger UI and ReDoc from this server only (drf-spectacular-sidecar):
# no inline script, no third-party origin. Both style themselves inline and ReDoc searches in a
# blob: worker.
docs_policy = csp(
    {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [NONE],
        "frame-ancestors": [NONE],
    }
)

api_v1: list[URLPattern | URLResolver] = [
    path("auth/", include("accounts.auth.urls")),
    path("", include("accounts.staff_urls")),
    path("", include("accounts.urls")),
    path("", include("patients.urls")),
    path("", include("treatments.urls")),
    path("", include("charts.urls")),
    path("", include("progress.urls")),
    path("", include("scheduling.urls")),
    path("", include("reminders.urls")),
    path("", include("billing.urls")),
    path("", include("audit.urls")),
    path("", include("changes.urls")),
    path("", include("webhooks.urls")),
    path("reference/", include("reference.urls")),
    slash_twin_route,
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("fhir/R4/", include("fhir_export.urls")),
    path("fhir/R4/", include("fhir_import.urls")),
    path("fhir/R4/", include("fhir_api.urls")),
    # FHIR's base as the CapabilityStatement names it (no trailing slash): a Bundle posted
    # there is imported as one posted to `/fhir/R4/` (the contract lists that one).
    path(
        "fhir/R4",
        BundleViewSet.as_view({"post": "create"}, schema=None),
        name="fhir-bundle-base",
    ),
    # The committed, drift-checked contract: no schema is built while a front end waits.
    path("api/schema/", CommittedSchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, not inline (CSP).
    path(
        "api/docs/",
        docs_policy(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path("api/redoc/", docs_policy(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
    # The probe must answer 503 itself when the database is down, so no request transaction.
    path("healthz", transaction.non_atomic_requests(HealthView.as_view()), name="healthz"),
]

# The Django admin reads across clinics, which the API's database role cannot: it is served
# only by a process connected as the owner (`make admin`), never by the API's workers.
if not settings.SERVE_AS_APP_ROLE:
    urlpatterns += [
        path("admin/login/", throttled_admin_login, name="admin-login"),
        path("admin/", admin.site.urls),
    ]

handler404 = "api.errors.not_found_view"
handler500 = "api.errors.server_error_view"
