"""PDF through WeasyPrint, from the document's HTML and a print stylesheet: A4 pages with their
numbers. WeasyPrint fetches only data: URLs (see images.embed_images), nothing from the network
or the file system."""

from pathlib import Path

PRINT_CSS = (Path(__file__).parent / "pdf.css").read_text()


def render_pdf(page: str) -> bytes:
    """A standalone HTML page (with its images embedded) as a PDF."""
    # Imported when first used: WeasyPrint parses its stylesheets as it loads, which every
    # process would pay for at start.
    from weasyprint import CSS, HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=page, url_fetcher=fetcher).write_pdf(stylesheets=[CSS(string=PRINT_CSS)])
