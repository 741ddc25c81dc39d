"""HTTP routes."""

from django.contrib import admin
from django.urls import include, path

from documents.health import healthz
from documents.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("documents.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("documents.urls_pages")),
]
