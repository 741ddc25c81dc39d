"""REST API routes, mounted at /api/."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from documents.api.views import DocumentViewSet

router = DefaultRouter(trailing_slash=True)
router.register("documents", DocumentViewSet, basename="document")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    path("", include(router.urls)),
]
