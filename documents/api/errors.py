"""API errors that DRF has no class for."""

from rest_framework import status
from rest_framework.exceptions import APIException


class PayloadTooLarge(APIException):
    """The request brings more than a limit allows (413); the message names the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


class BadGateway(APIException):
    """A remote server this one asked failed or answered with an error (502)."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The remote server failed."
    default_code = "bad_gateway"


class GatewayTimeout(APIException):
    """A remote server this one asked took too long (504)."""

    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_detail = "The remote server took too long."
    default_code = "timeout"
