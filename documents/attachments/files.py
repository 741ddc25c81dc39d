"""Where attachment files are kept, and their lifecycle: added with their row, deleted with it.

The files live on the `attachments` storage of settings.STORAGES (the file system, or an S3
store through django-storages); they are only ever read back through the API, which checks
access first, so the storage's own URLs are never handed out.
"""

import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction

from documents.attachments.images import CleanImage, clean_image


def attachment_storage() -> Storage:
    """The storage of attachment files (STORAGES["attachments"])."""
    return storages["attachments"]


def attachment_path(attachment, filename: str) -> str:
    """A file's name in the storage: its document's id, then its own id; never the uploaded
    name, which is the uploader's to choose."""
    extension = filename.rsplit(".", 1)[-1]
    return f"{attachment.document_id}/{attachment.id}.{extension}"


def add_attachment(document, user, upload: IO[bytes]):
    """Check and clean an uploaded image (see documents.attachments.images.clean_image, whose
    ImageRefused errors propagate) and store it as an attachment of `document`."""
    return store_image(document, user, clean_image(upload, settings.ATTACHMENT_MAX_PIXELS))


def store_image(document, user, image: CleanImage, attachment_id: uuid.UUID | None = None):
    """Store a cleaned image as an attachment of `document`, under `attachment_id` if given (an
    import names its images before the document exists)."""
    from documents.models import Attachment

    attachment = Attachment(
        id=attachment_id or uuid.uuid4(),
        document=document,
        content_type=image.content_type,
        size=len(image.data),
        width=image.width,
        height=image.height,
        uploaded_by=user if user.is_authenticated else None,
    )
    attachment.file.save(f"image.{image.extension}", ContentFile(image.data), save=False)
    try:
        attachment.save(force_insert=True)
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def delete_file(sender, instance, **kwargs) -> None:
    """post_delete of an Attachment (its own, or its document's cascade): the file goes once
    the deletion is committed, so that a rolled-back delete keeps it."""
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
