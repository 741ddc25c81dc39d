"""HTTP routes."""

from django.contrib import admin
from django.urls import include, path

from documents.health import healthz
from documents.metrics import metrics_view
from documents.throttling import throttle_sign_in

urlpatterns = [
    # The admin's sign-in checks passwords too: the same limits as the site's (before admin/).
    path("admin/login/", throttle_sign_in(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("documents.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("documents.urls_pages")),
]

handler400 = "documents.error_pages.bad_request"
handler403 = "documents.error_pages.permission_denied"
handler404 = "documents.error_pages.page_not_found"
handler500 = "documents.error_pages.server_error"
