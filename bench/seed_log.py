"""Seed a document whose update log holds N small updates, none compacted (scenario log100k).

Run with the server's environment (DATABASE_URL) before the server starts:

    python bench/seed_log.py --updates 100000 --owner bench --expected /tmp/expected.txt

It creates the document through the project's models, generates the updates with pycrdt (one
insert of a short word each, like typing: lines of 100 words, each new line at the top) and
inserts them as `DocumentUpdate` rows. It prints `{"document": id, "updates": N, ...}` as JSON
and writes the document's final text to `--expected`.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_LINE = 100
BATCH_ROWS = 5000


def typed_updates(count: int) -> tuple[list[bytes], str]:
    """`count` updates, each inserting one word into the Y.Text `content`, and the final text.

    Each line is typed left to right and starts at the top of the document: every insert lands
    within the current line, so generating stays linear (pycrdt walks the text up to the
    insert position), and the server still integrates 100,000 separate items.
    """
    from pycrdt import Doc, Text

    doc = Doc()
    text = doc.get("content", type=Text)
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    position = 0
    for i in range(count):
        if i % WORDS_PER_LINE == 0:
            position = 0
        last_of_line = i % WORDS_PER_LINE == WORDS_PER_LINE - 1 or i == count - 1
        word = f"w{i}" + ("\n" if last_of_line else " ")
        text.insert(position, word)
        position += len(word)
    doc.unobserve(subscription)
    return updates, str(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--owner", required=True, help="username of the document's owner")
    parser.add_argument("--expected", required=True, help="file to write the final text to")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project_name.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from documents.models import Document, DocumentUpdate

    started = time.perf_counter()
    updates, text = typed_updates(args.updates)
    generated_s = time.perf_counter() - started
    owner = get_user_model().objects.get(username=args.owner)
    with transaction.atomic():
        document = Document.objects.create(owner=owner, title=f"log of {args.updates} updates")
        DocumentUpdate.objects.bulk_create(
            (DocumentUpdate(document=document, data=update) for update in updates),
            batch_size=BATCH_ROWS,
        )
    rows = DocumentUpdate.objects.filter(document=document).count()
    Path(args.expected).write_text(text)
    print(
        json.dumps(
            {
                "document": str(document.id),
                "updates": len(updates),
                "rows": rows,
                "log_bytes": sum(len(update) for update in updates),
                "chars": len(text),
                "generate_s": round(generated_s, 2),
                "seed_s": round(time.perf_counter() - started, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
