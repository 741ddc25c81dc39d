"""The site's URLs plus one view that fails, for the error-page tests."""

from django.urls import path

from project_name.urls import handler400, handler403, handler404, handler500, urlpatterns


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("fail/", failing_view), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
