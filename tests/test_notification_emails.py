"""Notification e-mails: batched per person after NOTIFICATION_EMAIL_DELAY, one message for
several, none for those who opted out or lost access; the settings page; EMAIL_URL."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pycrdt import XmlFragment

from documents.models import Membership, Notification, NotificationSettings
from documents.notification_emails import send_pending_emails
from documents.notifications import notify_shared
from project_name.email_url import mailer

pytestmark = pytest.mark.django_db
SITE = "https://docs.example.com"


@pytest.fixture
def shared(make_user, make_document):
    """Two documents of Alice's shared with Bob, one notification each."""
    alice, bob = make_user("alice"), make_user("bob")
    for title in ("Plans", "Budget"):
        membership = Membership.objects.create(
            document=make_document(alice, title), user=bob, role="editor"
        )
        notify_shared(membership, alice)
    return alice, bob


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def test_notifications_close_together_go_out_in_one_email_once_due(shared, settings):
    settings.NOTIFICATION_EMAIL_DELAY = 300
    assert send_pending_emails(SITE) == 0  # not due yet
    assert mail.outbox == []
    assert send_pending_emails(SITE, now=later(301)) == 1
    [email] = mail.outbox
    assert email.to == ["bob@example.com"]
    assert email.subject == "2 new notifications"
    assert "alice shared “Plans” with you: you can edit it" in email.body
    assert "“Budget”" in email.body
    assert f"{SITE}/documents/" in email.body and f"{SITE}/accounts/notifications/" in email.body
    # Sent once only.
    assert send_pending_emails(SITE, now=later(900)) == 0
    assert len(mail.outbox) == 1


def test_nobody_opted_out_or_without_access_is_emailed(shared, settings, make_user):
    settings.NOTIFICATION_EMAIL_DELAY = 0
    alice, bob = shared
    NotificationSettings.objects.create(user=bob, email=False)
    carol = make_user("carol")
    membership = Membership.objects.create(
        document=Membership.objects.filter(user=bob).first().document, user=carol, role="viewer"
    )
    notify_shared(membership, alice)
    membership.delete()  # removed before the e-mail went
    assert send_pending_emails(SITE, now=later(1)) == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(emailed__isnull=True).exists()  # settled


def test_the_command_sends_what_is_due(shared, settings):
    settings.NOTIFICATION_EMAIL_DELAY = 0
    Notification.objects.update(created=timezone.now() - timedelta(seconds=5))
    out = io.StringIO()
    call_command("send_notification_emails", "--site", SITE, stdout=out)
    assert out.getvalue() == "1 notification e-mail(s) sent.\n"
    assert len(mail.outbox) == 1


def test_the_settings_page_turns_emails_off_and_on(make_user):
    client = Client()
    assert client.get("/accounts/notifications/").status_code == 302
    bob = make_user("bob")
    client.force_login(bob)
    page = client.get("/accounts/notifications/")
    assert page.status_code == 200 and "checked" in page.content.decode()
    saved = client.post("/accounts/notifications/", {})
    assert 'data-testid="settings-saved"' in saved.content.decode()
    assert NotificationSettings.objects.get(user=bob).email is False
    client.post("/accounts/notifications/", {"email": "1"})
    assert NotificationSettings.objects.get(user=bob).email is True


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp://me%40x.org:p%3Ass@mail.x.org",
            {
                "host": "mail.x.org",
                "port": 587,
                "username": "me@x.org",
                "password": "p:ss",
                "use_tls": True,
                "use_ssl": False,
            },
        ),
        ("smtps://mail.x.org", {"port": 465, "use_ssl": True, "use_tls": False}),
        ("smtp://relay:25?tls=0", {"port": 25, "use_tls": False}),
    ],
)
def test_email_url(url, expected):
    found = mailer(url)
    if url.startswith("smtp"):
        assert found["BACKEND"] == SMTP
        assert found["OPTIONS"].items() >= expected.items()
    else:
        assert found == expected


@pytest.mark.parametrize("url", ["gmail://x", "smtp://", "mailto:me@x.org"])
def test_a_bad_email_url_is_a_configuration_error(url):
    with pytest.raises(ImproperlyConfigured):
        mailer(url)


def test_mentions_and_replies_go_out_with_the_comment(make_user, make_document, settings):
    from documents import content, live
    from documents.comments import threads

    settings.NOTIFICATION_EMAIL_DELAY = 0
    alice, bob = make_user("alice", first_name="Alice"), make_user("bob", first_name="Bob")
    document = make_document(alice, "Plans")
    Membership.objects.create(document=document, user=bob, role="commenter")
    new = content.parse("text", "Ship it on Friday")
    live.change_document(
        document.id, lambda doc: content.replace_content(doc.get("default", type=XmlFragment), new)
    )
    thread = threads.start_thread(document, bob, "Is that right, <@alice>?", quote=("Friday", 1))
    threads.reply(thread, alice, "Yes")
    assert send_pending_emails(SITE) == 2
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert (
        "Bob mentioned you in “Plans”: “Is that right, @Alice?”"
        in by_recipient["alice@example.com"].body
    )
    assert "Alice replied in “Plans”: “Yes”" in by_recipient["bob@example.com"].body
