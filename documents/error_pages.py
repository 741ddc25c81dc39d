"""The product's own error pages, for every error a person can reach in a browser.

Django's handlers (`handler404` and the rest, and the CSRF failure view) render them in
production. In debug mode Django answers unmatched URLs and uncaught exceptions with its
technical pages, which list the site's URLs and settings; `ProductErrorPages` puts the
product's page in their place there too. Under /api/ the errors that DRF does not handle (an
uncaught exception, a body over Django's size limit) are JSON like the rest of the API, and
the browsable API keeps its own pages.
"""

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import sync_and_async_middleware
from rest_framework.response import Response

ERRORS: dict[int, tuple[str, str]] = {
    400: ("This request could not be understood", "Check the address, or go back and try again."),
    403: (
        "You may not do this",
        "Your session may have expired: reload the page, or sign in again.",
    ),
    404: ("This page doesn’t exist", "The address may be mistyped, or the page was removed."),
    500: (
        "Something went wrong on our side",
        "The error was logged. Try again in a moment.",
    ),
}

API_PREFIX = "/api/"


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The product's page for an HTTP error status (one of ERRORS); JSON under /api/."""
    heading, message = ERRORS[status]
    if request.path.startswith(API_PREFIX):
        return mark_product_page(JsonResponse({"detail": f"{heading}."}, status=status))
    response = render(
        request,
        "documents/error.html",
        {"status": status, "heading": heading, "message": message},
        status=status,
    )
    return mark_product_page(response)


def mark_product_page(response: HttpResponse) -> HttpResponse:
    """Mark an error response as the product's own, so that ProductErrorPages keeps it."""
    response.product_page = True
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403)


def _replaces(response: HttpResponse) -> bool:
    return (
        response.status_code in ERRORS
        and not getattr(response, "product_page", False)
        # Django's technical pages are HTML, or plain text for clients that prefer it.
        and response.get("Content-Type", "").startswith(("text/html", "text/plain"))
        # The browsable API's own HTML error pages.
        and not isinstance(response, Response)
    )


@sync_and_async_middleware
def ProductErrorPages(get_response: Callable) -> Callable:  # noqa: N802 (a middleware class name)
    """Put the product's page in place of any other error page (Django's debug pages)."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            response = await get_response(request)
            if _replaces(response):
                return await sync_to_async(error_page)(request, response.status_code)
            return response

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            response = get_response(request)
            if _replaces(response):
                return error_page(request, response.status_code)
            return response

    return middleware


__all__ = ["ProductErrorPages", "error_page", "mark_product_page"]
