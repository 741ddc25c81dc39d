from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """The collaborative documents app: models, access rules, REST API and real-time engine."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
