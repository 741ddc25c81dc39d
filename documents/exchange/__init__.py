"""Documents as files: export to DOCX, ODT, PDF, Markdown, HTML and text, and import from them.

- `formats`: which formats there are, their media types and file extensions;
- `pandoc`: DOCX and ODT through pandoc, in a sandboxed process with time and memory limits;
- `archives`: the zip-bomb check a DOCX or ODT passes before anything unpacks it;
- `pdf`: PDF through WeasyPrint, which may fetch nothing;
- `images`: a document's images embedded in its HTML, and an imported file's images stored
  as the new document's attachments;
- `checklists`: task lists through formats that have none (☐ and ☒ before the item);
- `export`, `imports`: one document out, one file in.
"""
