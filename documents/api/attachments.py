"""REST views of attachments: uploading an image into a document, and serving its bytes to those
who may view the document."""

import io
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, UnsupportedMediaType, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from documents.api.errors import BadGateway, GatewayTimeout, PayloadTooLarge
from documents.api.uploads import limit_uploads
from documents.api.views import DocumentScopedView
from documents.attachments import images, remote
from documents.attachments.files import add_attachment, store_image
from documents.attachments.references import attachment_path
from documents.models import Attachment
from documents.throttling import PerUserSettingRate

# Browsers may keep an image this long without asking again; someone removed from the document
# may still see one their browser holds until then, never a new one.
CACHE_SECONDS = 3600


def attachment_url(attachment: Attachment) -> str:
    """Where an attachment is served: a path on this site, the `src` of its image node."""
    return attachment_path(attachment.document_id, attachment.id)


class AttachmentSerializer(serializers.ModelSerializer):
    """An uploaded image: where it is served, its type, size in bytes and dimensions."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "url", "content_type", "size", "width", "height"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return attachment_url(attachment)


UPLOAD_SCHEMA = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
}


def image_refusal(error: images.ImageRefused, field: str, media_type: str = "") -> APIException:
    """The API error of an image that cannot become an attachment: 413 over the limits, 415
    for a type not taken, else 400 on `field`."""
    if isinstance(error, images.ImageTooLarge):
        return PayloadTooLarge(str(error), code=error.code)
    if isinstance(error, images.UnsupportedImage):
        return UnsupportedMediaType(media_type, detail=str(error), code=error.code)
    return ValidationError({field: [str(error)]}, code=error.code)


def created(attachment: Attachment) -> Response:
    """201 with the new attachment, and where it is served."""
    body = AttachmentSerializer(attachment).data
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class AttachmentUploadThrottle(PerUserSettingRate):
    """Uploads per user, to any document, at ATTACHMENT_UPLOAD_RATE: each is kept on disk
    until its document goes or prune_attachments finds it unused."""

    scope = "attachment_upload"
    rate_setting = "ATTACHMENT_UPLOAD_RATE"


class AttachmentListView(DocumentScopedView):
    """Upload an image into the document (editors): PNG, JPEG, GIF or WebP, told by its content,
    re-encoded without its metadata."""

    parser_classes = [MultiPartParser]
    throttle_classes = [*DocumentScopedView.throttle_classes, AttachmentUploadThrottle]

    def initialize_request(self, request: HttpRequest, *args, **kwargs) -> Request:
        limit_uploads(request, settings.ATTACHMENT_MAX_BYTES)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request=UPLOAD_SCHEMA,
        responses={
            201: AttachmentSerializer,
            400: OpenApiResponse(description="No file, or an image that cannot be decoded."),
            413: OpenApiResponse(description="Over ATTACHMENT_MAX_BYTES or ATTACHMENT_MAX_PIXELS."),
            429: OpenApiResponse(description="More uploads than ATTACHMENT_UPLOAD_RATE allows."),
            415: OpenApiResponse(description="Not a PNG, JPEG, GIF or WebP image (SVG neither)."),
        },
    )
    def post(self, request: Request, document_id: UUID) -> Response:
        # Before the body is parsed: those who may not upload learn nothing from its checks.
        self.require(self.role.can_edit)
        files = request.FILES.getlist("file")
        if len(files) != 1:
            raise ValidationError(
                {"file": ["Send exactly one image as the multipart field `file`."]},
                code="required",
            )
        try:
            attachment = add_attachment(self.document, request.user, files[0])
        except images.ImageRefused as error:
            raise image_refusal(error, "file", files[0].content_type or "") from None
        return created(attachment)


class FetchSerializer(serializers.Serializer):
    """The address of an image to fetch."""

    url = serializers.CharField(max_length=remote.MAX_URL_LENGTH)


def _fetched_image(url: str) -> images.CleanImage:
    """Fetch and clean the image at `url`, its refusals turned into API errors."""
    try:
        data = remote.fetch_image(
            url, settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_FETCH_TIMEOUT
        )
        return images.clean_image(io.BytesIO(data), settings.ATTACHMENT_MAX_PIXELS)
    except images.ImageRefused as error:
        raise image_refusal(error, "url") from None
    except (remote.InvalidURL, remote.AddressNotAllowed) as error:
        raise ValidationError({"url": [str(error)]}, code=error.code) from None
    except remote.FetchTimeout as error:
        raise GatewayTimeout(str(error), code=error.code) from None
    except remote.TooLarge as error:
        raise PayloadTooLarge(str(error), code=error.code) from None
    except remote.FetchRefused as error:
        raise BadGateway(str(error), code=error.code) from None


class AttachmentFetchView(DocumentScopedView):
    """Fetch a remote image into the document (editors), for HTML pasted from a web page: only
    public addresses, within ATTACHMENT_FETCH_TIMEOUT and ATTACHMENT_MAX_BYTES, then cleaned
    like an upload."""

    throttle_classes = [*DocumentScopedView.throttle_classes, AttachmentUploadThrottle]

    @extend_schema(
        request=FetchSerializer,
        responses={
            201: AttachmentSerializer,
            400: OpenApiResponse(description="A bad URL, or an address that is not public."),
            413: OpenApiResponse(description="Over ATTACHMENT_MAX_BYTES or ATTACHMENT_MAX_PIXELS."),
            415: OpenApiResponse(description="Not a PNG, JPEG, GIF or WebP image."),
            429: OpenApiResponse(description="More uploads than ATTACHMENT_UPLOAD_RATE allows."),
            502: OpenApiResponse(description="The remote server failed or answered an error."),
            504: OpenApiResponse(description="Longer than ATTACHMENT_FETCH_TIMEOUT."),
        },
    )
    def post(self, request: Request, document_id: UUID) -> Response:
        # Before anything is fetched: those who may not upload make no request elsewhere.
        self.require(self.role.can_edit)
        serializer = FetchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = _fetched_image(serializer.validated_data["url"])
        return created(store_image(self.document, request.user, image))


class FirstRenderer(BaseContentNegotiation):
    """Whatever the client accepts: a browser asking for an image gets the image, and an error
    as JSON, never a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentFileView(DocumentScopedView):
    """An attachment's bytes, for those who may view its document (the session cookie does,
    for the editor's images). Anyone else gets the 404 of an id that does not exist, signed in
    or not; so does an attachment asked for under another document's path."""

    content_negotiation_class = FirstRenderer

    def unseen(self, request: Request) -> APIException:
        # An <img> cannot sign in: anonymous or not, the same 404.
        return NotFound("No such document.")

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            404: OpenApiResponse(description="No such document or attachment, for this user."),
        },
    )
    def get(self, request: Request, document_id: UUID, attachment_id: UUID) -> HttpResponseBase:
        attachment = Attachment.objects.filter(pk=attachment_id, document=self.document).first()
        if attachment is None:
            raise NotFound("No such attachment.")
        # The bytes of an id never change: its id is its version, and a browser that asks
        # again after the cache time, still allowed, gets a 304 instead of the bytes.
        etag = f'"{attachment.id}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            try:
                file = attachment.file.open("rb")
            except FileNotFoundError:
                raise NotFound("No such attachment.") from None
            extension = attachment.file.name.rsplit(".", 1)[-1]
            response = FileResponse(
                file, content_type=attachment.content_type, filename=f"{attachment.id}.{extension}"
            )
        response["ETag"] = etag
        response["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
        response["X-Content-Type-Options"] = "nosniff"
        # Other sites cannot embed it with the viewer's cookie.
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
