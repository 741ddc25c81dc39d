"""REST views of comment threads: list and start them, reply, edit and delete comments,
resolve and reopen, and when I last looked. Everyone who may open the document reads them;
commenters, editors and owners write; people who may not open it get the document's 404."""

import base64
import binascii
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from documents.access import role_on
from documents.api.views import DocumentScopedView
from documents.comments import threads
from documents.comments.anchors import MAX_POSITION_BYTES, InvalidAnchor
from documents.comments.mentions import MentionRefused
from documents.comments.models import Comment, CommentsSeen, CommentThread
from documents.comments.serializers import CommentSerializer, ThreadSerializer
from documents.people import display_name
from documents.throttling import PerUserSettingRate

SEEN = inline_serializer("CommentsSeen", {"seen": serializers.DateTimeField(allow_null=True)})
PERSON_MATCH = inline_serializer(
    "PersonMatch",
    {
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "member": serializers.BooleanField(),
    },
    many=True,
)
STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=CommentThread.Status.values, description="Only open or resolved threads."
)


class CommentThrottle(PerUserSettingRate):
    """New comments and edits per user, at COMMENT_RATE; reading is not counted."""

    scope = "comment"
    rate_setting = "COMMENT_RATE"

    def allow_request(self, request: Request, view: object) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.user.is_authenticated:
            return True
        return super().allow_request(request, view)


class ThreadPagination(PageNumberPagination):
    page_size = 100


def _body_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=settings.COMMENTS["MAX_BODY_CHARS"],
        trim_whitespace=True,
        help_text="The comment; mention someone who may open the document as `<@username>`.",
    )


class AnchorInput(serializers.Serializer):
    start = serializers.CharField(max_length=64)
    end = serializers.CharField(max_length=64)

    def validate(self, data: dict) -> tuple[bytes, bytes]:
        return _decoded(data["start"]), _decoded(data["end"])


class NewThreadSerializer(serializers.Serializer):
    """A new thread: its first comment, and where: `anchor` (two Yjs relative positions, as a
    browser makes them from a selection) or `quote` (the exact text; `occurrence` says which
    appearance of it, from 1) for clients without a CRDT."""

    body = serializers.CharField()  # replaced by _body_field() in __init__ (settings are read late)
    anchor = AnchorInput(required=False)
    quote = serializers.CharField(required=False, trim_whitespace=False)
    occurrence = serializers.IntegerField(required=False, min_value=1, max_value=10_000, default=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"] = _body_field()
        self.fields["quote"].max_length = settings.COMMENTS["MAX_QUOTE_CHARS"]

    def validate(self, data: dict) -> dict:
        if ("anchor" in data) == ("quote" in data):
            raise ValidationError(
                {"anchor": ["Give either an anchor or a quote."]}, code="required"
            )
        return data


class BodySerializer(serializers.Serializer):
    body = serializers.CharField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"] = _body_field()


def _decoded(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("Not base64.", code="invalid_anchor") from None
    if not data or len(data) > MAX_POSITION_BYTES:
        raise ValidationError("Not a relative position.", code="invalid_anchor")
    return data


class ThreadScopedView(DocumentScopedView):
    """Base of the thread views: reading needs a role on the document, writing one that may
    comment; changes made here reach open editors (documents/comments/feed.py)."""

    throttle_classes = [*DocumentScopedView.throttle_classes, CommentThrottle]

    def require_commenter(self) -> None:
        # A comment has an author: visitors by a public link must sign in first.
        if not self.request.user.is_authenticated:
            raise NotAuthenticated("Sign in to comment.")
        if not self.role.can_comment:
            raise PermissionDenied(f"A {self.role.value} of this document may not comment.")

    def thread(self, thread_id: UUID) -> CommentThread:
        return get_object_or_404(CommentThread, pk=thread_id, document=self.document)

    def present(self, thread: CommentThread, code: int = status.HTTP_200_OK) -> Response:
        return Response(threads.present(thread), status=code)


def _refusal(error: Exception) -> ValidationError:
    if isinstance(error, InvalidAnchor):
        return ValidationError({"anchor": [str(error)]}, code="invalid_anchor")
    if isinstance(error, MentionRefused):
        return ValidationError({"mentions": [str(error)]}, code="mention_refused")
    return ValidationError({"detail": [str(error)]}, code="limit")


class ThreadListView(ThreadScopedView):
    """The document's threads in document order (orphaned ones last), or a new one."""

    pagination_class = ThreadPagination

    @extend_schema(parameters=[STATUS_PARAMETER], responses=ThreadSerializer(many=True))
    def get(self, request: Request, document_id: UUID) -> Response:
        found = threads.threads_of(self.document)
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in CommentThread.Status.values:
                raise ValidationError({"status": ["Give open or resolved."]}, code="invalid")
            found = found.filter(status=wanted)
        every = list(found)
        located = threads.locate_threads(self.document.id, every)
        ordered = threads.in_document_order(every, located)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(ordered, request, view=self)
        data = ThreadSerializer(page, many=True, context={"located": located}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=NewThreadSerializer,
        responses={
            201: ThreadSerializer,
            400: OpenApiResponse(description="No such text, a bad anchor or mention, a limit."),
            403: OpenApiResponse(description="Viewers may not comment."),
        },
    )
    def post(self, request: Request, document_id: UUID) -> Response:
        self.require_commenter()
        given = NewThreadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        quote = (data["quote"], data["occurrence"]) if "quote" in data else None
        try:
            thread = threads.start_thread(
                self.document, request.user, data["body"], data.get("anchor"), quote
            )
        except (InvalidAnchor, MentionRefused, threads.ThreadLimit) as error:
            raise _refusal(error) from None
        return self.present(thread, status.HTTP_201_CREATED)


class ThreadDetailView(ThreadScopedView):
    @extend_schema(responses=ThreadSerializer)
    def get(self, request: Request, document_id: UUID, thread_id: UUID) -> Response:
        return self.present(self.thread(thread_id))


class ThreadStatusView(ThreadScopedView):
    """Resolve (`…/resolve/`) or reopen (`…/reopen/`) a thread."""

    new_status: str = CommentThread.Status.OPEN

    @extend_schema(request=None, responses=ThreadSerializer)
    def post(self, request: Request, document_id: UUID, thread_id: UUID) -> Response:
        self.require_commenter()
        thread = threads.set_status(self.thread(thread_id), request.user, self.new_status)
        return self.present(thread)


class ThreadCommentsView(ThreadScopedView):
    """A reply in the thread."""

    @extend_schema(request=BodySerializer, responses={201: CommentSerializer})
    def post(self, request: Request, document_id: UUID, thread_id: UUID) -> Response:
        self.require_commenter()
        thread = self.thread(thread_id)
        given = BodySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            comment = threads.reply(thread, request.user, given.validated_data["body"])
        except (MentionRefused, threads.ThreadLimit) as error:
            raise _refusal(error) from None
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(ThreadScopedView):
    """Authors edit their own comments and delete them; owners delete anyone's. Deleting a
    thread's first comment deletes the thread."""

    def comment(self, thread_id: UUID, comment_id: int) -> Comment:
        return get_object_or_404(
            Comment.objects.select_related("thread"),
            pk=comment_id,
            thread=self.thread(thread_id),
        )

    @extend_schema(request=BodySerializer, responses=CommentSerializer)
    def patch(self, request: Request, document_id: UUID, thread_id: UUID, comment_id: int):
        self.require_commenter()
        comment = self.comment(thread_id, comment_id)
        if comment.author_id != request.user.pk:
            raise PermissionDenied("Only its author may edit a comment.")
        given = BodySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            threads.edit(comment, given.validated_data["body"])
        except MentionRefused as error:
            raise _refusal(error) from None
        return Response(CommentSerializer(comment).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, document_id: UUID, thread_id: UUID, comment_id: int):
        self.require_commenter()
        comment = self.comment(thread_id, comment_id)
        if comment.author_id != request.user.pk and not self.role.can_manage:
            raise PermissionDenied("Only its author or the document's owner may delete a comment.")
        threads.delete(comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentsSeenView(ThreadScopedView):
    """When I last looked at the document's comments (`null`: never); POST makes it now.
    Comments by others since then are new to me."""

    @extend_schema(responses=SEEN)
    def get(self, request: Request, document_id: UUID) -> Response:
        if not request.user.is_authenticated:
            return Response({"seen": None})
        mark = CommentsSeen.objects.filter(user=request.user, document=self.document).first()
        return Response({"seen": mark.seen if mark else None})

    @extend_schema(request=None, responses=SEEN)
    def post(self, request: Request, document_id: UUID) -> Response:
        if not request.user.is_authenticated:
            return Response({"seen": None})
        now = timezone.now()
        CommentsSeen.objects.update_or_create(
            user=request.user, document=self.document, defaults={"seen": now}
        )
        return Response({"seen": now})


class PeopleView(DocumentScopedView):
    """For an owner's mention picker: up to 10 people whose username or name starts with `q`,
    and whether the document is shared with them. Owners only: others pick among members."""

    LIMIT = 10

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="The start of a username or name.")],
        responses=PERSON_MATCH,
    )
    def get(self, request: Request, document_id: UUID) -> Response:
        if not self.role.can_manage:
            raise PermissionDenied("Only the document's owner may look for people.")
        typed = request.query_params.get("q", "").strip()[:150]
        users = get_user_model()._default_manager.filter(is_active=True)
        if typed:
            users = users.filter(
                Q(username__istartswith=typed)
                | Q(first_name__istartswith=typed)
                | Q(last_name__istartswith=typed)
            )
        found = list(users.order_by("username")[: self.LIMIT])
        return Response(
            [
                {
                    "username": user.get_username(),
                    "name": display_name(user),
                    "member": role_on(user, self.document.id) is not None,
                }
                for user in found
            ]
        )
