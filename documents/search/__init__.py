"""Search inside documents, with the database's own full-text search: SQLite's FTS5 on the
embedded default, PostgreSQL's text search in deployment.

The index holds each document's stored content as plain text (`SearchText`). It is brought up to
date from what is stored, a little after each write (store.py), never on the keystroke path.
"""
