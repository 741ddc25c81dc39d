"""REST representations of documents, members, versions and content."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from documents import content
from documents.access import Role, role_for
from documents.models import Document, Membership, Version


class DocumentSerializer(serializers.ModelSerializer):
    """A document's metadata, with the requesting user's role and where to edit it live."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    role = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="document-detail")
    websocket = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "title", "owner", "role", "created", "updated", "url", "websocket"]
        read_only_fields = ["id", "created", "updated"]

    def get_role(self, document: Document) -> str | None:
        role = role_for(self.context["request"].user, document)
        return role.value if role else None

    def get_websocket(self, document: Document) -> str:
        return f"/ws/documents/{document.id}"


class MemberSerializer(serializers.ModelSerializer):
    """Someone a document is shared with, and their role."""

    username = serializers.SlugRelatedField(
        source="user", slug_field="username", queryset=get_user_model().objects.all()
    )
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=[role.value for role in Role])

    class Meta:
        model = Membership
        fields = ["username", "name", "role", "created"]
        read_only_fields = ["created"]

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name() or membership.user.username

    def validate_username(self, user):
        document = self.context["document"]
        if user.pk == document.owner_id:
            raise serializers.ValidationError("The owner already holds every right.")
        if Membership.objects.filter(document=document, user=user).exists():
            raise serializers.ValidationError(
                "This user is already a member; change their role with PATCH."
            )
        return user


class MemberRoleSerializer(serializers.Serializer):
    """A new role for an existing member."""

    role = serializers.ChoiceField(choices=[role.value for role in Role])


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
