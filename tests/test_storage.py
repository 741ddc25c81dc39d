"""The stored form of a document: building, folding, loading, compaction."""

import pytest
from pycrdt import Doc, Text

from documents.models import DocumentUpdate
from documents.realtime import storage
from documents.realtime.storage import append_updates, build_doc, compact, fold_updates, load_doc
from tests.text_updates import text_updates


def text_of(update: bytes) -> str:
    doc = Doc()
    doc.apply_update(update)
    return str(doc.get("content", type=Text))


def applied_one_by_one(updates: list[bytes]) -> Doc:
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc


def test_build_doc_equals_the_updates_applied_one_by_one():
    """build_doc calls pycrdt's binding directly; it must do what Doc.apply_update does."""
    updates, expected = text_updates(300)
    doc = build_doc([b"", *updates])  # an empty snapshot is skipped
    assert str(doc.get("content", type=Text)) == expected
    assert doc.get_state() == applied_one_by_one(updates).get_state()


def test_build_doc_keeps_updates_that_cannot_be_integrated_yet():
    updates, expected = text_updates(40)
    doc = build_doc(updates[1:])  # nothing integrates before the first update arrives
    reference = applied_one_by_one(updates[1:])
    assert doc.get_update() == reference.get_update()
    doc.apply_update(updates[0])
    assert str(doc.get("content", type=Text)) == expected


def test_build_doc_refuses_an_invalid_update_as_doc_apply_update_does():
    with pytest.raises(ValueError) as from_doc:
        Doc().apply_update(b"\x05")
    with pytest.raises(ValueError) as from_build:
        build_doc([text_updates(1)[0][0], b"\x05"])
    assert str(from_build.value) == str(from_doc.value)


@pytest.mark.django_db
def test_loaded_document_equals_the_stored_one(user, make_document):
    """Snapshot and log rows, streamed from the database, give the document that was stored."""
    document = make_document(user)
    updates, expected = text_updates(200)
    for start in range(0, 100, 10):
        append_updates(document.id, updates[start : start + 10])
    compact(document.id)
    for update in updates[100:]:
        append_updates(document.id, [update])

    doc, log_rows = load_doc(document.id)

    assert log_rows == 100
    assert str(doc.get("content", type=Text)) == expected
    assert doc.get_state() == applied_one_by_one(updates).get_state()


def test_fold_equals_the_updates_applied_one_by_one():
    updates, expected = text_updates(300)
    assert text_of(fold_updates(updates)) == expected


def test_fold_keeps_updates_that_could_not_be_integrated_yet():
    """Yrs leaves pending structs and deletions out of an encoded Doc; folding must not."""
    updates, expected = text_updates(40)
    # Everything but the first update: nothing else can integrate until it arrives.
    folded = fold_updates(updates[1:])
    doc = Doc()
    doc.apply_update(folded)
    doc.apply_update(updates[0])
    assert str(doc.get("content", type=Text)) == expected


@pytest.mark.django_db
def test_compaction_keeps_the_content(user, make_document):
    document = make_document(user)
    updates, expected = text_updates(200)
    for start in range(0, 200, 10):
        append_updates(document.id, updates[start : start + 10])
    assert DocumentUpdate.objects.filter(document=document).count() == 20
    before = str(load_doc(document.id)[0].get("content", type=Text))

    assert compact(document.id) == 20

    assert DocumentUpdate.objects.filter(document=document).count() == 0
    doc, log_rows = load_doc(document.id)
    assert log_rows == 0
    assert str(doc.get("content", type=Text)) == before == expected


@pytest.mark.django_db
def test_compaction_deletes_only_the_rows_it_folded(user, make_document, monkeypatch):
    """A row appended while a compaction runs (another process) survives it."""
    document = make_document(user)
    updates, expected = text_updates(30)
    append_updates(document.id, updates[:20])
    real_fold = storage.fold_updates

    def fold_while_another_process_appends(batch):
        append_updates(document.id, updates[20:])
        return real_fold(batch)

    monkeypatch.setattr(storage, "fold_updates", fold_while_another_process_appends)
    assert compact(document.id) == 1
    assert DocumentUpdate.objects.filter(document=document).count() == 1
    assert str(load_doc(document.id)[0].get("content", type=Text)) == expected
