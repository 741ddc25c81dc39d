from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The collaborative documents app: models, access rules, REST API and real-time engine."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from documents.throttling import record_failed_sign_in

        user_login_failed.connect(record_failed_sign_in, dispatch_uid="documents.sign_in_failed")

        from django.db.models.signals import post_delete

        from documents.attachments.files import delete_file
        from documents.models import Attachment

        # The file goes with its row, deleted alone or with its document.
        post_delete.connect(delete_file, sender=Attachment, dispatch_uid="documents.attachment")
