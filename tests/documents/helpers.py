import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def images(content: bytes) -> list[str]:
    """The distinct image XObjects of the PDF's pages (WeasyPrint embeds an image once and
    shares it between the pages)."""
    return sorted({image.name for page in PdfReader(io.BytesIO(content)).pages for image in page.images})
