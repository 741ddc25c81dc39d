"""REST views of documents as files: a download in any export format, and an upload that
becomes a new document."""

from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from pycrdt import XmlFragment
from rest_framework import status
from rest_framework.exceptions import APIException, UnsupportedMediaType, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import content, live
from documents.api.attachments import FirstRenderer
from documents.api.errors import PayloadTooLarge
from documents.api.serializers import DocumentSerializer
from documents.api.uploads import limit_uploads
from documents.api.views import DocumentScopedView
from documents.exchange import pandoc
from documents.exchange.archives import ArchiveTooLarge
from documents.exchange.export import export_document, file_name
from documents.exchange.formats import EXPORT_FORMATS
from documents.exchange.images import TooManyImages
from documents.exchange.imports import (
    UnsupportedFile,
    create_document,
    import_format,
    read_file,
    title_from,
)
from documents.models import Document
from documents.throttling import PerUserSettingRate

TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length


class ConversionTooCostly(APIException):
    """A file that took more time or memory to convert than the limits allow (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The file is too complex to convert."
    default_code = "too_complex"


class ExportView(DocumentScopedView):
    """The document as a file to download, named after its title: DOCX, PDF, ODT, Markdown
    (GFM), HTML or plain text. Anyone who may view the document may export it."""

    content_negotiation_class = FirstRenderer

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(EXPORT_FORMATS), required=True),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            400: OpenApiResponse(description="No format, or an unknown one."),
            404: OpenApiResponse(description="No such document, for this user."),
        },
    )
    def get(self, request: Request, document_id: UUID) -> HttpResponse:
        file_format = EXPORT_FORMATS.get(request.query_params.get("format", ""))
        if file_format is None:
            raise ValidationError({"format": [f"Choose one of {', '.join(EXPORT_FORMATS)}."]})
        fragment = live.read_document(self.document.id).get("default", type=XmlFragment)
        try:
            data = export_document(
                self.document, content.fragment_to_prosemirror(fragment), file_format
            )
        except pandoc.ConversionTooCostly as error:
            raise ConversionTooCostly(str(error)) from None
        response = HttpResponse(data, content_type=file_format.media_type)
        response["Content-Disposition"] = content_disposition_header(
            True, file_name(self.document.title, file_format)
        )
        response["Cache-Control"] = "private, no-cache"
        response["X-Content-Type-Options"] = "nosniff"
        return response


IMPORT_SCHEMA = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "title": {"type": "string", "maxLength": TITLE_MAX_LENGTH},
        },
        "required": ["file"],
    }
}


class ImportThrottle(PerUserSettingRate):
    """Imports per user at IMPORT_RATE: each converts a file and keeps a document."""

    scope = "document_import"
    rate_setting = "IMPORT_RATE"


class ImportView(APIView):
    """Import a file as a new document of mine: .docx, .odt, .md, .html or .txt, with its
    headings, lists, tables, links, marks and images; the title is the file's name unless
    `title` says otherwise."""

    parser_classes = [MultiPartParser]
    throttle_classes = [*APIView.throttle_classes, ImportThrottle]

    def initialize_request(self, request: HttpRequest, *args, **kwargs) -> Request:
        limit_uploads(request, settings.IMPORT_MAX_BYTES)
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request=IMPORT_SCHEMA,
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(description="A damaged file, or one not of the type it says."),
            413: OpenApiResponse(
                description="Over IMPORT_MAX_BYTES, unpacking past IMPORT_MAX_UNPACKED_BYTES, "
                "more than IMPORT_MAX_IMAGES images, or content over the content limits."
            ),
            415: OpenApiResponse(description="Not a file type that can be imported."),
            422: OpenApiResponse(description="Over CONVERSION_SECONDS or CONVERSION_MEMORY_MB."),
            429: OpenApiResponse(description="More imports than IMPORT_RATE allows."),
        },
    )
    def post(self, request: Request) -> Response:
        files = request.FILES.getlist("file")
        if len(files) != 1:
            raise ValidationError(
                {"file": ["Send exactly one file as the multipart field `file`."]}, code="required"
            )
        upload = files[0]
        title = str(request.data.get("title", "")).strip() or title_from(upload.name or "")
        if len(title) > TITLE_MAX_LENGTH:
            raise ValidationError({"title": [f"At most {TITLE_MAX_LENGTH} characters."]})
        try:
            imported = read_file(upload.read(), import_format(upload.name or ""))
        except UnsupportedFile as error:
            raise UnsupportedMediaType(
                upload.content_type or "", detail=str(error), code=error.code
            ) from None
        except (ArchiveTooLarge, TooManyImages, content.ContentTooLarge) as error:
            raise PayloadTooLarge(str(error), code=getattr(error, "code", "too_large")) from None
        except pandoc.ConversionTooCostly as error:
            raise ConversionTooCostly(str(error)) from None
        except ValueError as error:  # damaged, of another type, not UTF-8, nested too deep
            raise ValidationError({"file": [str(error)]}, code="invalid_file") from None
        document = create_document(request.user, title, imported)
        body = DocumentSerializer(document, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})
