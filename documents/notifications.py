"""Notifications: what happened for someone, kept until they read it.

They are written in the transaction of what they tell of, so a share that rolls back notifies
nobody. Someone sees only the notifications about documents they may still open: a person
removed from a document no longer learns of it.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from documents.access import reachable_documents
from documents.models import AccessRequest, Membership, Notification
from documents.people import display_name


def notify_shared(membership: Membership, actor: AbstractBaseUser) -> Notification:
    """Tells the member that `actor` shared the document with them, with which role."""
    return Notification.objects.create(
        recipient=membership.user,
        kind=Notification.Kind.SHARED,
        document=membership.document,
        actor=actor,
        role=membership.role,
    )


def notify_access_requested(access_request: AccessRequest) -> Notification:
    """Tells the owner that someone asks for access to their document."""
    document = access_request.document
    return Notification.objects.create(
        recipient=document.owner,
        kind=Notification.Kind.ACCESS_REQUESTED,
        document=document,
        actor=access_request.user,
    )


_ABLE_TO = {"editor": "edit", "commenter": "comment on", "viewer": "view", "owner": "manage"}


def describe(notification: Notification) -> str:
    """What a notification says, in a sentence (as the bell says it)."""
    who = display_name(notification.actor)
    title = f"“{notification.document.title}”"
    if notification.kind == Notification.Kind.ACCESS_REQUESTED:
        return f"{who} asks for access to {title}"
    return f"{who} shared {title} with you: you can {_ABLE_TO.get(notification.role, 'open')} it"


def notifications_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's notifications, newest first, about documents they may still open."""
    return Notification.objects.filter(
        recipient=user, document__in=reachable_documents(user).values("pk")
    ).select_related("document", "actor")


def mark_read(notifications: QuerySet[Notification]) -> int:
    """Marks the unread ones of `notifications` read; how many there were."""
    return notifications.filter(read__isnull=True).update(read=timezone.now())
