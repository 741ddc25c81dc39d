"""REST views of access requests: someone without access asks; the owner lists, grants or
dismisses. Asking answers the same whatever the document and the asker's access."""

from uuid import UUID

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.access_requests import ask_for_access, grant_access
from documents.api.serializers import MemberSerializer
from documents.api.views import DocumentScopedView
from documents.models import AccessRequest
from documents.people import display_name
from documents.realtime.events import AccessChanged
from documents.realtime.link import publish_after_commit
from documents.roles import LINK_ROLE_CHOICES
from documents.throttling import PerUserSettingRate

ASKED = {"detail": "If this document exists, its owner was asked to share it with you."}


class AccessRequestThrottle(PerUserSettingRate):
    """Requests for access per user, at ACCESS_REQUEST_RATE: each may reach an owner."""

    scope = "access_request"
    rate_setting = "ACCESS_REQUEST_RATE"


class AccessRequestSerializer(serializers.ModelSerializer):
    """Someone who asked for access: who, and when."""

    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = ["username", "name", "email", "created"]
        read_only_fields = fields

    def get_name(self, access_request: AccessRequest) -> str:
        return display_name(access_request.user)

    def get_email(self, access_request: AccessRequest) -> str | None:
        user = access_request.user
        return getattr(user, user.get_email_field_name()) or None


class GrantSerializer(serializers.Serializer):
    """The role to share the document with, for the person who asked."""

    role = serializers.ChoiceField(choices=LINK_ROLE_CHOICES)


class AskForAccessView(APIView):
    """Ask the owner of a document for access (any signed-in user): always 202, so that the
    answer tells nothing about the document."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, AccessRequestThrottle]

    @extend_schema(request=None, responses={202: OpenApiResponse(description="Asked.")})
    def post(self, request: Request, document_id: UUID) -> Response:
        ask_for_access(request.user, document_id)
        return Response(ASKED, status=status.HTTP_202_ACCEPTED)


class AccessRequestListView(DocumentScopedView):
    """Who asks for access to the document, oldest first (owners)."""

    @extend_schema(responses=AccessRequestSerializer(many=True))
    def get(self, request: Request, document_id: UUID) -> Response:
        self.require(self.role.can_manage)
        waiting = AccessRequest.objects.filter(document=self.document).select_related("user")
        return Response(AccessRequestSerializer(waiting, many=True).data)


class AccessRequestDetailView(DocumentScopedView):
    """Grant the person who asked a role (POST), or dismiss their request (DELETE); owners."""

    def _request(self, username: str) -> AccessRequest:
        self.require(self.role.can_manage)
        return get_object_or_404(
            AccessRequest.objects.select_related("user", "document"),
            document=self.document,
            user__username=username,
        )

    @extend_schema(request=GrantSerializer, responses={201: MemberSerializer})
    def post(self, request: Request, document_id: UUID, username: str) -> Response:
        access_request = self._request(username)
        serializer = GrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = grant_access(access_request, serializer.validated_data["role"], request.user)
        publish_after_commit(self.document.id, AccessChanged())
        body = MemberSerializer(membership, context={"role": self.role}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, document_id: UUID, username: str) -> Response:
        self._request(username).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
