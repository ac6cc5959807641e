"""Checks on an uploaded scan stack before it is stored: the content decides, not the name
or the browser. A PDF must start like one and open with pdfium; a TIFF must open with
Pillow's header reader. Neither decodes a page here; both must stay within the page and
pixel limits, so a small file that claims a huge picture is refused before anything
renders it."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

PDF = "pdf"
TIFF = "tiff"
TIFF_HEADS = (b"II*\x00", b"MM\x00*")


def _refused() -> ValidationError:
    return ValidationError(
        _("This file is not a scanned stack. Please upload a PDF or TIFF file from the scanner."),
        code="not_scan",
    )


def scan_file_type(upload) -> str:
    """``"pdf"`` or ``"tiff"`` for an acceptable scan; ValidationError for anything else."""
    if upload.size > settings.SURVEY_SCAN_MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s). Please upload a file of at most %(max)s."),
            code="too_large",
            params={
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.SURVEY_SCAN_MAX_UPLOAD_SIZE),
            },
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(upload)
        return PDF
    if head[:4] in TIFF_HEADS:
        _check_tiff(upload)
        return TIFF
    raise _refused()


# Scanned pages are rendered at this resolution (survey.scanning.reader.PDF_DPI or less).
RENDER_DPI = 300


def _check_pdf(upload) -> None:
    """Open the PDF's structure (pdfium decodes no page here) and check the page count and
    the size each page would have once rendered: a tiny file can declare a page of 5 × 5 m."""
    import pypdfium2 as pdfium

    upload.seek(0)
    try:
        path = upload.temporary_file_path()
    except AttributeError:
        path = None
    try:
        document = pdfium.PdfDocument(path or upload.read())
    except pdfium.PdfiumError as error:
        raise _refused() from error
    finally:
        upload.seek(0)
    try:
        pages = len(document)
        if pages == 0:
            raise _refused()
        if pages > settings.SURVEY_SCAN_MAX_PAGES:
            raise _too_many_pages(pages)
        for index in range(pages):
            width, height = document.get_page_size(index)
            pixels_wide = round(width / 72 * RENDER_DPI)
            pixels_high = round(height / 72 * RENDER_DPI)
            if pixels_wide * pixels_high > settings.SURVEY_SCAN_MAX_PAGE_PIXELS:
                raise _too_large_page(index + 1, pixels_wide, pixels_high)
    finally:
        document.close()


def _check_tiff(upload) -> None:
    limit = settings.SURVEY_SCAN_MAX_PAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Our own, lower limit below gives staff a clear message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                pages = getattr(image, "n_frames", 1)
                if pages > settings.SURVEY_SCAN_MAX_PAGES:
                    raise _too_many_pages(pages)
                for index in range(pages):
                    image.seek(index)
                    width, height = image.size
                    if width * height > limit:
                        raise _too_large_page(index + 1, width, height)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise _too_large_page(1, 0, 0) from error
    except Exception as error:  # Pillow raises many kinds for broken or foreign files
        raise _refused() from error
    finally:
        upload.seek(0)


def _too_many_pages(pages: int) -> ValidationError:
    return ValidationError(
        _("The stack has %(pages)d pages; at most %(max)d can be read at once. Please split it."),
        code="too_many_pages",
        params={"pages": pages, "max": settings.SURVEY_SCAN_MAX_PAGES},
    )


def _too_large_page(page: int, width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "Page %(page)d of the stack has far too many pixels (%(width)d × %(height)d). "
            "Please scan at 200 to 300 dpi."
        ),
        code="too_many_pixels",
        params={"page": page, "width": width, "height": height},
    )
