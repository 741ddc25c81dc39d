"""Object permissions for REST, decided by documents.access like the WebSocket's."""

from rest_framework import permissions

from documents.access import role_for


class DocumentPermission(permissions.BasePermission):
    """Any role may read; editors may change; only owners may delete. Documents a user may not
    see never reach this check: they are not in the queryset, so they are a 404."""

    message = "Your role on this document does not allow this."

    def has_object_permission(self, request, view, document) -> bool:
        role = role_for(request.user, document)
        if role is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return role.can_manage
        return role.can_edit
