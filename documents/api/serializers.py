"""REST representations of documents, members, versions and content."""

from django.contrib.auth.models import AbstractBaseUser
from rest_framework import serializers

from documents import content
from documents.access import Role, role_for
from documents.models import Document, Membership, Version
from documents.people import PersonNotFound, display_name, find_person
from documents.realtime.routing import WEBSOCKET_PATH


class DocumentSerializer(serializers.ModelSerializer):
    """A document's metadata, with the requesting user's role and where to edit it live.

    `link_access` says who may open the document by its link alone (`restricted`: members
    only; `authenticated`: anyone signed in; `public`: anyone), with `link_role`; only owners
    change them."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    role = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="document-detail")
    websocket = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            *("id", "title", "owner", "role", "created", "updated", "url", "websocket"),
            *("snippet", "link_access", "link_role"),
        ]
        read_only_fields = ["id", "created", "updated"]

    def get_role(self, document: Document) -> str | None:
        role = role_for(self.context["request"].user, document)
        return role.value if role else None

    def get_websocket(self, document: Document) -> str:
        return f"{WEBSOCKET_PATH}/{document.id}"

    def get_snippet(self, document: Document) -> str | None:
        """In search results, the words around a text hit ("" for a title hit); else None."""
        return getattr(document, "search_snippet", None)


class PersonField(serializers.CharField):
    """An account, named by its username or e-mail address (see `documents.people.find_person`)."""

    def to_internal_value(self, data: object) -> AbstractBaseUser:
        try:
            return find_person(super().to_internal_value(data))
        except PersonNotFound as error:
            raise serializers.ValidationError(str(error)) from None


class MemberSerializer(serializers.ModelSerializer):
    """Someone a document is shared with, and their role.

    To share, send `user`: a username, or an e-mail address in any case; `username`, the older
    name of the field, is accepted instead. `email` is shown only to those who may manage the
    document.
    """

    user = PersonField(
        write_only=True, help_text="Username or e-mail address of the person to share with."
    )
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["user", "username", "name", "email", "role", "created"]
        read_only_fields = ["created"]

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, dict) and "user" not in data and "username" in data:
            data = data.copy()  # a QueryDict copies into a mutable one
            data["user"] = data["username"]
        return super().to_internal_value(data)

    def get_name(self, membership: Membership) -> str:
        """The full name, else the username."""
        return display_name(membership.user)

    def get_email(self, membership: Membership) -> str | None:
        """The e-mail address, for those who may manage the document; else null (and for
        people with no address)."""
        role = self.context.get("role")  # the reader's, given by the view
        if role is None or not role.can_manage:
            return None
        user = membership.user
        return getattr(user, user.get_email_field_name()) or None

    def validate_user(self, user: AbstractBaseUser) -> AbstractBaseUser:
        document = self.context["document"]
        if user.pk == document.owner_id:
            # Only owners share, so this is the person sharing.
            raise serializers.ValidationError(
                "You own this document: you already hold every right."
            )
        if Membership.objects.filter(document=document, user=user).exists():
            raise serializers.ValidationError(
                f"{display_name(user)} already has access; change their role instead."
            )
        return user


class MemberRoleSerializer(serializers.Serializer):
    """A new role for an existing member."""

    role = serializers.ChoiceField(choices=Role.choices)


class VersionSerializer(serializers.ModelSerializer):
    """A named snapshot of a document."""

    author = serializers.CharField(source="author.username", read_only=True, default=None)

    class Meta:
        model = Version
        fields = ["id", "name", "created", "author"]
        read_only_fields = ["id", "created", "author"]


class ContentSerializer(serializers.Serializer):
    """A document's content in one format; `json` content is ProseMirror JSON (an object)."""

    format = serializers.ChoiceField(choices=content.FORMATS)
    content = serializers.JSONField()

    def validate(self, data: dict) -> dict:
        if data["format"] == "json":
            doc = data["content"]
            if not (
                isinstance(doc, dict)
                and doc.get("type") == "doc"
                and isinstance(doc.get("content", []), list)
            ):
                raise serializers.ValidationError(
                    {"content": 'JSON content must be a ProseMirror document: {"type": "doc", …}.'}
                )
        elif not isinstance(data["content"], str):
            raise serializers.ValidationError({"content": "Content must be a string."})
        return data


class VersionContentSerializer(VersionSerializer):
    """A version with its content rendered in the requested format."""

    format = serializers.CharField(read_only=True)
    content = serializers.JSONField(read_only=True)

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "format", "content"]
