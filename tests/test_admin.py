"""The admin shows an operator what a document holds: members, versions, text, log size."""

import pytest
from django.test import Client
from pycrdt import XmlFragment

from documents import content, live
from documents.models import Membership, Version

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(make_user) -> Client:
    admin = make_user(username="operator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_a_documents_page_shows_members_versions_text_log_and_a_link(
    operator, user, make_user, make_document
):
    document = make_document(user)
    guest = make_user(username="guest")
    Membership.objects.create(document=document, user=guest, role="viewer")
    live.change_document(
        document.id,
        lambda doc: content.replace_content(
            doc.get("default", type=XmlFragment), content.parse("markdown", "# Plan\n\nShip & sail")
        ),
    )
    Version.objects.create(document=document, name="First draft", snapshot=b"\x00\x00", author=user)

    page = operator.get(f"/admin/documents/document/{document.pk}/change/").content.decode()
    assert "guest" in page and "Viewer" in page
    assert "First draft" in page
    assert "Plan\nShip &amp; sail" in page  # the text, escaped
    assert "rows," in page
    assert f'href="/documents/{document.pk}/"' in page

    listing = operator.get("/admin/documents/document/").content.decode()
    assert document.title in listing and "Open in the editor" in listing


def test_the_update_log_is_not_a_list_of_byte_sizes(operator):
    assert operator.get("/admin/documents/documentupdate/").status_code == 404


def test_an_operator_adds_a_document_for_someone(operator, user):
    assert operator.get("/admin/documents/document/add/").status_code == 200
    response = operator.post(
        "/admin/documents/document/add/",
        {
            "title": "From the admin",
            "owner": user.pk,
            **{f"{inline}-{count}_FORMS": "0" for inline in ("memberships", "versions")
               for count in ("TOTAL", "INITIAL")},
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert user.documents.get().title == "From the admin"
