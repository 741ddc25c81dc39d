"""Notifications: what happened for someone, kept until they read it.

They are written in the transaction of what they tell of, so a share that rolls back notifies
nobody; once it commits, the recipients' open editors hear of them (their bell refreshes),
whichever document they have open. Someone sees only the notifications about documents they
may still open: a person removed from a document no longer learns of it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from documents.access import reachable_documents, role_on
from documents.comments.mentions import plain_body
from documents.models import AccessRequest, Comment, Membership, Notification
from documents.people import display_name
from documents.realtime.events import NotificationsArrived
from documents.realtime.people import tell_after_commit

# How much of a comment a notification quotes.
EXCERPT_CHARS = 140


def notify_shared(membership: Membership, actor: AbstractBaseUser) -> Notification:
    """Tells the member that `actor` shared the document with them, with which role."""
    _announce([membership.user_id])
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
    _announce([document.owner_id])
    return Notification.objects.create(
        recipient=document.owner,
        kind=Notification.Kind.ACCESS_REQUESTED,
        document=document,
        actor=access_request.user,
    )


def notify_mentioned(comment: Comment, users: list[AbstractBaseUser]) -> list[int]:
    """Tells each user (who may open the document) that the comment mentions them; the primary
    keys of those told."""
    return _notify_of_comment(comment, Notification.Kind.MENTIONED, users)


def notify_replied(comment: Comment, user_pks: list[int]) -> list[int]:
    """Tells the earlier participants of the comment's thread (those who may still open the
    document) of the reply; the primary keys of those told."""
    users = get_user_model()._default_manager.filter(pk__in=user_pks)
    return _notify_of_comment(comment, Notification.Kind.REPLIED, list(users))


def _notify_of_comment(
    comment: Comment, kind: Notification.Kind, users: list[AbstractBaseUser]
) -> list[int]:
    document = comment.thread.document
    recipients = [user for user in users if role_on(user, document.id) is not None]
    Notification.objects.bulk_create(
        Notification(
            recipient=user, kind=kind, document=document, actor=comment.author, comment=comment
        )
        for user in recipients
    )
    told = [user.pk for user in recipients]
    if told:
        _announce(told)
    return told


def _announce(recipients: list[int]) -> None:
    tell_after_commit(NotificationsArrived(recipients))


_ABLE_TO = {"editor": "edit", "commenter": "comment on", "viewer": "view", "owner": "manage"}


def describe(notification: Notification) -> str:
    """What a notification says, in a sentence (as the bell says it)."""
    who = display_name(notification.actor)
    title = f"“{notification.document.title}”"
    if notification.kind == Notification.Kind.ACCESS_REQUESTED:
        return f"{who} asks for access to {title}"
    if notification.kind in (Notification.Kind.MENTIONED, Notification.Kind.REPLIED):
        done = "mentioned you" if notification.kind == Notification.Kind.MENTIONED else "replied"
        return f"{who} {done} in {title}: “{excerpt(notification.comment)}”"
    return f"{who} shared {title} with you: you can {_ABLE_TO.get(notification.role, 'open')} it"


def excerpt(comment: Comment | None) -> str:
    """The start of a comment, as a notification quotes it."""
    if comment is None:
        return ""
    text = " ".join(plain_body(comment.body, comment.mentions.all()).split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def notifications_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's notifications, newest first, about documents they may still open."""
    return (
        Notification.objects.filter(
            recipient=user, document__in=reachable_documents(user).values("pk")
        )
        .select_related("document", "actor", "comment")
        .prefetch_related("comment__mentions")
    )


def mark_read(notifications: QuerySet[Notification]) -> int:
    """Marks the unread ones of `notifications` read; how many there were."""
    return notifications.filter(read__isnull=True).update(read=timezone.now())
