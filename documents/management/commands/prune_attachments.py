"""manage.py prune_attachments: remove the attachments that no document shows any more."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.attachments.prune import DEFAULT_GRACE, delete_attachments, unreferenced_attachments


class Command(BaseCommand):
    """Delete attachments (rows and files) that no document's content or version refers to."""

    help = (
        "Delete the attachments that no document's content or named version shows any more, "
        "keeping those younger than the grace period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace",
            type=int,
            default=int(DEFAULT_GRACE.total_seconds()),
            metavar="SECONDS",
            help="Keep attachments younger than this (default: %(default)s, an hour).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go, delete nothing."
        )

    def handle(self, *args, grace: int, dry_run: bool, **options) -> None:
        if grace < 0:
            raise CommandError("--grace cannot be negative.")
        found = unreferenced_attachments(timedelta(seconds=grace))
        for attachment in found:
            self.stdout.write(
                f"{'would delete' if dry_run else 'deleting'} {attachment.id} "
                f"(document {attachment.document_id}, {attachment.size} bytes)"
            )
        if dry_run:
            self.stdout.write(f"{len(found)} unreferenced attachment(s); none deleted (dry run).")
            return
        deleted = delete_attachments(found)
        self.stdout.write(f"{deleted} unreferenced attachment(s) deleted.")
