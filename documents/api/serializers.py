"""REST representations of documents."""

from rest_framework import serializers

from documents.access import role_for
from documents.models import Document


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
