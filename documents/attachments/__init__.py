"""Images uploaded into documents: their checks and cleaning (images.py), and their files'
storage and lifecycle (files.py)."""
