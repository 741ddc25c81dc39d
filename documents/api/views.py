"""REST views for documents."""

from rest_framework import mixins, viewsets

from documents.access import visible_documents
from documents.api.serializers import DocumentSerializer
from documents.models import Document


class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List the documents I can see, create one (I own it), retrieve one.

    Documents I may not see are absent from the queryset, so asking for one is a 404, exactly
    like an id that does not exist.
    """

    serializer_class = DocumentSerializer

    def get_queryset(self):
        return visible_documents(self.request.user).select_related("owner")

    def perform_create(self, serializer: DocumentSerializer) -> Document:
        return serializer.save(owner=self.request.user)
