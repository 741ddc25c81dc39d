"""Notifications by e-mail: batched per person, sent by `manage.py send_notification_emails`.

Off the request path and after the commit by construction: a command (run every minute from
cron, or the process manager) reads what is committed. Someone whose oldest unsent notification
has waited NOTIFICATION_EMAIL_DELAY gets one e-mail with all of them, so that several within a
few minutes make one message. Those who opted out, and notifications about documents the
recipient may no longer open, are settled without a message.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.urls import reverse
from django.utils import timezone

from documents.models import Notification, NotificationSettings
from documents.notifications import describe, notifications_for

# People e-mailed per run at most; the rest wait for the next run.
MAX_EMAILS_PER_RUN = 500


def wants_email(user) -> bool:
    """Whether the user takes notifications by e-mail (yes, until they say otherwise)."""
    found = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return found is None or found


def _message(user, notes: list[Notification], site: str) -> EmailMessage:
    lines = [
        f"- {describe(note)}\n  {site}{reverse('pages:editor', args=[note.document_id])}"
        for note in notes
    ]
    settings_url = f"{site}{reverse('pages:notification-settings')}"
    body = (
        f"Hello {user.get_full_name() or user.get_username()},\n\n"
        + "\n".join(lines)
        + f"\n\nTo stop these e-mails: {settings_url}\n"
    )
    subject = describe(notes[0]) if len(notes) == 1 else f"{len(notes)} new notifications"
    email = getattr(user, user.get_email_field_name())
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def send_pending_emails(site: str, now: datetime | None = None) -> int:
    """Sends each person whose batch is due one e-mail; returns how many were sent."""
    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.NOTIFICATION_EMAIL_DELAY)
    waiting = Notification.objects.filter(emailed__isnull=True)
    due = (
        waiting.filter(created__lte=due_before)
        .values_list("recipient", flat=True)
        .distinct()[:MAX_EMAILS_PER_RUN]
    )
    users = get_user_model().objects.filter(pk__in=list(due))
    sent = 0
    with mailers.default as connection:
        for user in users:
            # Settled: what is waiting now; whatever comes meanwhile waits for its own batch.
            settled = list(waiting.filter(recipient=user).values_list("pk", flat=True))
            allowed = list(notifications_for(user).filter(pk__in=settled).order_by("created"))
            address = getattr(user, user.get_email_field_name())
            if allowed and address and user.is_active and wants_email(user):
                connection.send_messages([_message(user, allowed, site)])
                sent += 1
            Notification.objects.filter(pk__in=settled).update(emailed=now)
    return sent
