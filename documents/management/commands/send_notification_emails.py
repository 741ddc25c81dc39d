"""manage.py send_notification_emails: send the notification e-mails that are due."""

from django.core.management.base import BaseCommand, CommandParser

from documents.notification_emails import send_pending_emails


class Command(BaseCommand):
    """One run: everyone whose notifications have waited long enough gets one e-mail."""

    help = (
        "E-mail each person their notifications once the oldest has waited "
        "NOTIFICATION_EMAIL_DELAY seconds (one e-mail for all of them). Run it every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site",
            default="http://localhost:8000",
            help="Where the site is, for the links in the e-mails (default: %(default)s).",
        )

    def handle(self, *args, site: str, **options) -> None:
        sent = send_pending_emails(site.rstrip("/"))
        self.stdout.write(f"{sent} notification e-mail(s) sent.")
