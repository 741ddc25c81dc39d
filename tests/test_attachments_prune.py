"""Which attachments documents refer to, and `manage.py prune_attachments`, which removes the
others once they are older than the grace period."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from documents import live
from documents.api.attachments import attachment_url
from documents.attachments.files import add_attachment
from documents.attachments.references import attachment_id, image_sources, referenced_attachments
from documents.models import Attachment, Version
from tests.attachment_files import attachment_storage, image_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]


def show_images(document, *sources: str) -> None:
    """Append an image element with each `src` to the document, as the editor stores them."""

    def change(doc: Doc) -> None:
        fragment = doc.get("default", type=XmlFragment)
        for source in sources:
            fragment.children.append(XmlElement("image", {"src": source, "alt": ""}))

    live.change_document(document.id, change)


def make_attachment(document, age: timedelta = timedelta(hours=2)) -> Attachment:
    attachment = add_attachment(document, document.owner, io.BytesIO(image_bytes()))
    Attachment.objects.filter(pk=attachment.pk).update(created=timezone.now() - age)
    return attachment


def test_image_sources_are_found_at_any_depth():
    doc = Doc()
    fragment = doc.get("default", type=XmlFragment)
    fragment.children.append(XmlElement("paragraph", {}, [XmlText("src=/not/an/image")]))
    fragment.children.append(XmlElement("blockquote", {}, [XmlElement("image", {"src": "/deep"})]))
    fragment.children.append(XmlElement("image", {"src": "/top"}))
    fragment.children.append(XmlElement("image", {}))
    assert list(image_sources(doc)) == ["/deep", "/top"]


def test_a_source_names_an_attachment_by_path_or_full_url(user, make_document):
    document = make_document(user)
    attachment = make_attachment(document)
    url = attachment_url(attachment)
    assert attachment_id(url) == attachment.id
    assert attachment_id(f"https://docs.example.com{url}?v=1") == attachment.id
    assert attachment_id(f"/api/documents/{document.id}/") is None
    assert attachment_id("https://elsewhere.example/cat.png") is None
    assert attachment_id("data:image/png;base64,AAAA") is None
    doc = Doc()
    doc.get("default", type=XmlFragment).children.append(XmlElement("image", {"src": url}))
    assert referenced_attachments(doc) == {attachment.id}


def test_prune_removes_only_old_unreferenced_attachments(
    user,
    make_document,
    attachment_storage,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    document, other = make_document(user), make_document(user)
    shown = make_attachment(document)
    shown_elsewhere = make_attachment(document)
    forgotten = make_attachment(document)
    just_uploaded = make_attachment(document, age=timedelta(minutes=5))
    show_images(document, attachment_url(shown))
    show_images(other, "https://docs.example.com" + attachment_url(shown_elsewhere))
    forgotten_file = forgotten.file.name

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_attachments", stdout=out)
    assert set(Attachment.objects.values_list("id", flat=True)) == {
        shown.id,
        shown_elsewhere.id,
        just_uploaded.id,
    }
    assert not attachment_storage.exists(forgotten_file)
    assert attachment_storage.exists(shown.file.name)
    assert "1 unreferenced attachment(s) deleted." in out.getvalue()


def test_dry_run_deletes_nothing(user, make_document, attachment_storage):  # noqa: F811
    forgotten = make_attachment(make_document(user))
    out = io.StringIO()
    call_command("prune_attachments", "--dry-run", stdout=out)
    assert f"would delete {forgotten.id}" in out.getvalue()
    assert Attachment.objects.filter(pk=forgotten.pk).exists()
    assert attachment_storage.exists(forgotten.file.name)


def test_the_grace_period_is_an_option(user, make_document):
    young = make_attachment(make_document(user), age=timedelta(minutes=5))
    call_command("prune_attachments", "--grace", "3600", stdout=io.StringIO())
    assert Attachment.objects.filter(pk=young.pk).exists()
    call_command("prune_attachments", "--grace", "60", stdout=io.StringIO())
    assert not Attachment.objects.filter(pk=young.pk).exists()
    with pytest.raises(CommandError):
        call_command("prune_attachments", "--grace", "-1")


def test_an_image_in_a_named_version_keeps_its_attachment(user, make_document):
    """A restore brings the version's images back: they must still be there."""
    document = make_document(user)
    kept = make_attachment(document)
    show_images(document, attachment_url(kept))
    snapshot = live.read_document(document.id).get_update()
    Version.objects.create(document=document, name="with the image", snapshot=snapshot)
    live.change_document(
        document.id, lambda doc: doc.get("default", type=XmlFragment).children.__delitem__(0)
    )
    assert list(image_sources(live.read_document(document.id))) == []
    call_command("prune_attachments", stdout=io.StringIO())
    assert Attachment.objects.filter(pk=kept.pk).exists()


def test_an_image_written_through_the_rest_api_keeps_its_attachment(user, token_for, make_document):
    """The content API's image node, as Tiptap's editor writes it, is what the lookup reads."""
    from rest_framework.test import APIClient

    document = make_document(user)
    shown, forgotten = make_attachment(document), make_attachment(document)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    content = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Look:"}]},
            {"type": "image", "attrs": {"src": attachment_url(shown), "alt": "a cat"}},
        ],
    }
    response = client.put(
        f"/api/documents/{document.id}/content",
        {"format": "json", "content": content},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert referenced_attachments(live.read_document(document.id)) == {shown.id}
    call_command("prune_attachments", stdout=io.StringIO())
    assert set(Attachment.objects.values_list("id", flat=True)) == {shown.id}
    assert forgotten.id not in referenced_attachments(live.read_document(document.id))
