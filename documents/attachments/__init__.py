"""Images uploaded into documents: their checks and cleaning (images.py), their files' storage
and lifecycle (files.py), which documents refer to them (references.py), and the removal of
those no document refers to any more (prune.py)."""
