"""How threads and comments look to clients, over REST and on the socket alike."""

import base64

from django.contrib.auth.models import AbstractBaseUser
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from documents.comments.anchors import Located
from documents.comments.mentions import written_body
from documents.comments.models import Comment, CommentThread
from documents.people import display_name, user_color

PERSON_FIELD = inline_serializer(
    "CommentPerson",
    {
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "color": serializers.CharField(),
    },
)
MENTION_FIELD = inline_serializer(
    "Mention", {"username": serializers.CharField(), "name": serializers.CharField()}, many=True
)
ANCHOR_FIELD = inline_serializer(
    "Anchor",
    {
        "start": serializers.CharField(help_text="A Yjs relative position, base64."),
        "end": serializers.CharField(help_text="A Yjs relative position, base64."),
    },
)
DELETED_PERSON = {"username": "", "name": "Deleted user", "color": "#8a94a3"}


def person(user: AbstractBaseUser | None) -> dict | None:
    """Someone as comments show them: name and colour as in presence, and the username that
    mentions use."""
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "name": display_name(user),
        "color": user_color(user.pk),
    }


class CommentSerializer(serializers.ModelSerializer):
    """One comment. `body` writes mentions as `<@username>`; `mentions` names them."""

    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "mentions", "created", "edited"]
        read_only_fields = fields

    @extend_schema_field(PERSON_FIELD)
    def get_author(self, comment: Comment) -> dict:
        return person(comment.author) or DELETED_PERSON

    def get_body(self, comment: Comment) -> str:
        return written_body(comment.body, comment.mentions.all())

    @extend_schema_field(MENTION_FIELD)
    def get_mentions(self, comment: Comment) -> list[dict]:
        return [
            {"username": user.get_username(), "name": display_name(user)}
            for user in comment.mentions.all()
        ]


class ThreadSerializer(serializers.ModelSerializer):
    """A thread with its comments, oldest first. `orphaned`: all of its text was deleted
    (`quote` keeps what it was). The serializer's context maps thread ids to where their
    anchors are now (`located`)."""

    author = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    anchor = serializers.SerializerMethodField()
    orphaned = serializers.SerializerMethodField()
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = CommentThread
        fields = [
            "id",
            "status",
            "quote",
            "orphaned",
            "anchor",
            "author",
            "created",
            "resolved_by",
            "resolved_at",
            "comments",
        ]
        read_only_fields = fields

    @extend_schema_field(PERSON_FIELD)
    def get_author(self, thread: CommentThread) -> dict:
        return person(thread.author) or DELETED_PERSON

    @extend_schema_field(PERSON_FIELD)
    def get_resolved_by(self, thread: CommentThread) -> dict | None:
        return person(thread.resolved_by)

    @extend_schema_field(ANCHOR_FIELD)
    def get_anchor(self, thread: CommentThread) -> dict:
        return {
            "start": encode_anchor(thread.anchor_start),
            "end": encode_anchor(thread.anchor_end),
        }

    def get_orphaned(self, thread: CommentThread) -> bool:
        located: Located | None = self.context["located"].get(thread.id)
        return located is None or located.orphaned


def encode_anchor(position: bytes | memoryview) -> str:
    return base64.b64encode(bytes(position)).decode()
