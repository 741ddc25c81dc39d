"""REST views of notifications: my list with its unread count, and marking them read."""

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import Notification
from documents.notifications import excerpt, mark_read, notifications_for
from documents.people import display_name

DOCUMENT_FIELD = inline_serializer(
    "NotifiedDocument", {"id": serializers.UUIDField(), "title": serializers.CharField()}
)
ACTOR_FIELD = inline_serializer(
    "NotifiedActor", {"username": serializers.CharField(), "name": serializers.CharField()}
)
MARKED = inline_serializer("MarkedRead", {"unread": serializers.IntegerField()})


class NotificationSerializer(serializers.ModelSerializer):
    """One notification: what happened (`shared`: the document was shared with me, as `role`;
    `access_requested`: someone asks for access to my document; `mentioned`: a comment
    mentions me; `replied`: a reply in a thread I wrote in), by whom; read or not. For the
    comment kinds, `thread` and `excerpt` (the comment's start) say which and what."""

    document = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()
    thread = serializers.SerializerMethodField()
    excerpt = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "document", "actor", "role", "thread", "excerpt", "created", "read"]
        read_only_fields = fields

    @extend_schema_field(DOCUMENT_FIELD)
    def get_document(self, notification: Notification) -> dict:
        return {"id": notification.document_id, "title": notification.document.title}

    @extend_schema_field(ACTOR_FIELD)
    def get_actor(self, notification: Notification) -> dict:
        actor = notification.actor
        return {"username": actor.get_username(), "name": display_name(actor)}

    def get_thread(self, notification: Notification) -> str | None:
        comment = notification.comment
        return None if comment is None else str(comment.thread_id)

    def get_excerpt(self, notification: Notification) -> str:
        return excerpt(notification.comment)

    def get_read(self, notification: Notification) -> bool:
        return notification.read is not None


class NotificationListView(generics.ListAPIView):
    """My notifications, newest first (paginated), with `unread`: how many are unread in all.
    Only those about documents I may still open."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return notifications_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = self.get_queryset().filter(read__isnull=True).count()
        return response


class NotificationReadView(APIView):
    """Mark one of my notifications read."""

    @extend_schema(request=None, responses=MARKED)
    def post(self, request: Request, notification_id: int) -> Response:
        mine = notifications_for(request.user)
        get_object_or_404(mine, pk=notification_id)
        mark_read(mine.filter(pk=notification_id))
        return Response({"unread": mine.filter(read__isnull=True).count()})


class NotificationReadAllView(APIView):
    """Mark all my notifications read."""

    @extend_schema(request=None, responses=MARKED)
    def post(self, request: Request) -> Response:
        mark_read(notifications_for(request.user))
        return Response({"unread": 0})
