"""REST views: documents, their content, members and versions."""

from uuid import UUID

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pycrdt import XmlFragment
from rest_framework import filters, generics, mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import (
    APIException,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from documents import content, live
from documents.access import (
    Role,
    find_document,
    is_member,
    reachable_documents,
    role_for,
    visible_documents,
)
from documents.api.errors import PayloadTooLarge
from documents.api.permissions import DocumentPermission
from documents.api.serializers import (
    ContentSerializer,
    DocumentSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    VersionContentSerializer,
    VersionSerializer,
)
from documents.models import Document, Membership, Version
from documents.notifications import notify_shared
from documents.realtime import storage
from documents.realtime.events import AccessChanged, DocumentDeleted, DocumentRenamed
from documents.realtime.link import publish_after_commit
from documents.search.filters import DocumentSearchFilter
from documents.throttling import SIGN_IN_THROTTLES

FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=list(content.FORMATS), default="json", description="Content format."
)


def _fragment(doc) -> XmlFragment:
    return doc.get("default", type=XmlFragment)


def _requested_format(request: Request) -> str:
    requested = request.query_params.get("format", "json")
    if requested not in content.FORMATS:
        raise ValidationError({"format": f"Choose one of {', '.join(content.FORMATS)}."})
    return requested


def _parsed_content(format: str, value: str | dict) -> dict:
    """Content to write, as ProseMirror JSON in the editor's schema: 413 over the limits of
    size, 400 for content nested too deep or malformed (see documents.content.limits)."""
    try:
        return content.parse(format, value)
    except content.ContentTooLarge as error:
        raise PayloadTooLarge(str(error)) from None
    except ValueError as error:
        raise ValidationError({"content": [str(error)]}) from None


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (throttled against guessing, per
    account and per client address, like the sign-in form)."""

    throttle_classes = SIGN_IN_THROTTLES


class DocumentViewSet(viewsets.ModelViewSet):
    """The documents I own or that are shared with me.

    Documents I may not see are absent from the queryset, so asking for one is a 404, exactly
    like an id that does not exist. Deleting closes every open editor of the document.
    """

    serializer_class = DocumentSerializer
    permission_classes = [IsAuthenticated, DocumentPermission]
    # Search last: its ranking is the order unless the client asks for another.
    filter_backends = [filters.OrderingFilter, DocumentSearchFilter]
    ordering_fields = ["title", "created", "updated"]
    ordering = ["-updated"]

    def get_queryset(self):
        # The list is the user's own; one document may also be reached by its link.
        if self.action == "list":
            documents = visible_documents(self.request.user)
        else:
            documents = reachable_documents(self.request.user)
        return documents.select_related("owner")

    def perform_create(self, serializer: DocumentSerializer) -> None:
        serializer.save(owner=self.request.user)

    def perform_update(self, serializer: DocumentSerializer) -> None:
        changed = serializer.validated_data.keys()
        relinked = bool(changed & {"link_access", "link_role"})
        if relinked and not role_for(self.request.user, serializer.instance).can_manage:
            raise PermissionDenied("Only the owner sets who may open the document by its link.")
        document = serializer.save()
        if "title" in changed:
            # Open editors show the new title at once, like the text.
            publish_after_commit(document.id, DocumentRenamed(document.title))
        if relinked:
            # Sockets that came in by the link follow at once: another role, or closed.
            publish_after_commit(document.id, AccessChanged())

    def perform_destroy(self, document: Document) -> None:
        document_id = document.id
        document.delete()
        publish_after_commit(document_id, DocumentDeleted())


class DocumentScopedView(APIView):
    """Base for views under /api/documents/<id>/: finds the document (404 for those I may not
    see; 401 for anonymous clients, unless its link is public) and my role on it."""

    document: Document
    role: Role
    # Who may go on is the document's to say (a public link admits anyone).
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        found = find_document(request.user, kwargs["document_id"])
        if found is None:
            raise self.unseen(request)
        self.document, self.role = found

    def unseen(self, request: Request) -> APIException:
        """What those who may not see the document get: anonymous clients are asked to sign
        in, everyone else gets the 404 of an id that does not exist."""
        if not request.user.is_authenticated:
            return NotAuthenticated()
        return NotFound("No such document.")

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied(f"A {self.role.value} of this document may not do this.")


class ContentView(DocumentScopedView):
    """The document's content, rendered from the live CRDT state; PUT replaces it by applying
    the difference as a CRDT change, which open editors see at once."""

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=ContentSerializer)
    def get(self, request: Request, document_id: UUID) -> Response:
        requested = _requested_format(request)
        doc = live.read_document(self.document.id)
        return Response({"format": requested, "content": content.render(_fragment(doc), requested)})

    @extend_schema(request=ContentSerializer, responses=ContentSerializer)
    def put(self, request: Request, document_id: UUID) -> Response:
        self.require(self.role.can_edit)
        serializer = ContentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = serializer.validated_data
        new = _parsed_content(source["format"], source["content"])
        try:
            live.change_document(
                self.document.id, lambda doc: content.replace_content(_fragment(doc), new)
            )
        except storage.DocumentGone:
            raise NotFound("No such document.") from None
        doc = live.read_document(self.document.id)
        return Response(
            {
                "format": source["format"],
                "content": content.render(_fragment(doc), source["format"]),
            }
        )

    patch = put


class MemberListView(DocumentScopedView, generics.ListCreateAPIView):
    """Who the document is shared with. Every member may look; only owners may share, and see
    members' e-mail addresses."""

    serializer_class = MemberSerializer
    pagination_class = None

    def get_queryset(self):
        return Membership.objects.filter(document=self.document).select_related("user")

    def get(self, request: Request, *args, **kwargs) -> Response:
        # Those who came by the link alone, anonymous or not, learn nothing of the others.
        if not is_member(request.user, self.document):
            raise PermissionDenied("Only the people it is shared with see who else it is.")
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self) -> dict:
        # Schema generation builds the serializer without a document.
        return {
            **super().get_serializer_context(),
            "document": getattr(self, "document", None),
            "role": getattr(self, "role", None),
        }

    @extend_schema(
        description="Share the document with someone named by `user`: a username, or an "
        "e-mail address in any case (`username` is accepted instead of `user`). Owners only."
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        # Before validation: its messages tell whether an account exists, for owners only.
        self.require(self.role.can_manage)
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer: MemberSerializer) -> None:
        with transaction.atomic():
            membership = serializer.save(document=self.document)
            notify_shared(membership, self.request.user)
        publish_after_commit(self.document.id, AccessChanged())


class MemberDetailView(DocumentScopedView):
    """Change a member's role, or remove them; their open editors follow within seconds."""

    def _membership(self, username: str) -> Membership:
        self.require(self.role.can_manage)
        return get_object_or_404(
            Membership.objects.select_related("user"),
            document=self.document,
            user__username=username,
        )

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    def patch(self, request: Request, document_id: UUID, username: str) -> Response:
        membership = self._membership(username)
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership.role = serializer.validated_data["role"]
        membership.save(update_fields=["role"])
        publish_after_commit(self.document.id, AccessChanged())
        return Response(MemberSerializer(membership, context={"role": self.role}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, document_id: UUID, username: str) -> Response:
        self._membership(username).delete()
        publish_after_commit(self.document.id, AccessChanged())
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionListView(DocumentScopedView, generics.ListCreateAPIView):
    """Named versions of the document, newest first; editors may name the current state."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        return Version.objects.filter(document=self.document).select_related("author")

    def perform_create(self, serializer: VersionSerializer) -> None:
        self.require(self.role.can_edit)
        snapshot = live.read_document(self.document.id).get_update()
        serializer.save(document=self.document, author=self.request.user, snapshot=snapshot)


class VersionDetailView(DocumentScopedView, mixins.RetrieveModelMixin, generics.GenericAPIView):
    """One version with its content in the requested format."""

    serializer_class = VersionContentSerializer
    lookup_url_kwarg = "version_id"

    def get_queryset(self):
        return Version.objects.filter(document=self.document).select_related("author")

    @extend_schema(parameters=[FORMAT_PARAMETER])
    def get(self, request: Request, document_id: UUID, version_id: int) -> Response:
        version = self.get_object()
        requested = _requested_format(request)
        version.format = requested
        version.content = content.render(
            _fragment(storage.build_doc([bytes(version.snapshot)])), requested
        )
        return Response(self.get_serializer(version).data)


class VersionRestoreView(DocumentScopedView, generics.GenericAPIView):
    """Restore a version: a forward change through the live session, so history is kept and
    open editors see the restored content at once."""

    serializer_class = ContentSerializer
    lookup_url_kwarg = "version_id"

    def get_queryset(self):
        return Version.objects.filter(document=self.document)

    @extend_schema(request=None, responses=ContentSerializer)
    def post(self, request: Request, document_id: UUID, version_id: int) -> Response:
        self.require(self.role.can_edit)
        version = self.get_object()
        restored = content.fragment_to_prosemirror(
            _fragment(storage.build_doc([bytes(version.snapshot)]))
        )
        live.change_document(
            self.document.id, lambda doc: content.replace_content(_fragment(doc), restored)
        )
        return Response({"format": "json", "content": restored})


class ApiRootView(APIView):
    """The entry point of the API: where each of its parts is. Open to everyone, like a
    home page; what the links lead to asks for a sign-in."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(
            {
                name: reverse(route, request=request)
                for name, route in (
                    ("documents", "document-list"),
                    ("auth_token", "auth-token"),
                    ("schema", "schema"),
                    ("docs", "api-docs"),
                )
            }
        )

    def get_view_name(self) -> str:
        return "API root"


def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown API paths answer in JSON, like every other API error.

    A plain Django view, not an APIView: the browsable API's breadcrumbs list every APIView
    that a prefix of the path resolves to, and this one matches every prefix.
    """
    return JsonResponse({"detail": "No such API endpoint."}, status=404)
