"""Checks on uploads to the media library: the content decides, not the name or the browser.

Images must decode with Pillow as JPEG, PNG, WebP or GIF (SVG can carry scripts and is
refused), within a pixel limit (decompression bombs). Documents must start with the bytes of
a PDF, or be an OpenDocument/Office-Open-XML ZIP container.
"""

import warnings
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Extension -> the file a ZIP container of that type must hold.
ZIP_DOCUMENTS = {
    "odt": "mimetype",
    "ods": "mimetype",
    "odp": "mimetype",
    "docx": "[Content_Types].xml",
    "xlsx": "[Content_Types].xml",
    "pptx": "[Content_Types].xml",
}
DOCUMENT_EXTENSIONS = {"pdf", *ZIP_DOCUMENTS}


def validate_size(upload) -> None:
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s). Please upload a file of at most %(max)s."),
            code="too_large",
            params={
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.MAX_UPLOAD_SIZE),
            },
        )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "The image has far too many pixels. Please reduce it to at most %(max)s "
            "megapixels (for example 6000 × 4000 pixels) and upload it again."
        ),
        code="too_many_pixels",
        params={"max": settings.MAX_IMAGE_PIXELS // 1_000_000},
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not an image. Please upload a JPEG, PNG or WebP file."),
        code="not_image",
    )


def image_format(upload) -> str:
    """The Pillow format of a real, not oversized image; ValidationError for anything else."""
    validate_size(upload)
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Our own pixel limit below is lower and gives the editor a clear message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found, (width, height) = image.format, image.size
                image.verify()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except Exception as error:  # Pillow raises many kinds for broken or foreign files
        raise _not_an_image() from error
    finally:
        upload.seek(0)
    if found not in ALLOWED_IMAGE_FORMATS:
        raise _not_an_image()
    # A small file can decode to a huge picture; making the variants would then tie up a
    # worker for many seconds and hundreds of megabytes.
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise ValidationError(
            _(
                "The image has too many pixels (%(width)d × %(height)d pixels). Please reduce "
                "it to at most %(max)s megapixels (for example 6000 × 4000 pixels) and upload "
                "it again."
            ),
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "max": settings.MAX_IMAGE_PIXELS // 1_000_000,
            },
        )
    return found


def validate_image(upload) -> None:
    image_format(upload)


def document_type(upload) -> str:
    """The extension of a real PDF or office document; ValidationError for anything else."""
    validate_size(upload)
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    refused = ValidationError(
        _("Files of this type cannot be uploaded. Allowed: %(types)s."),
        code="extension",
        params={"types": ", ".join(sorted(DOCUMENT_EXTENSIONS))},
    )
    if extension not in DOCUMENT_EXTENSIONS:
        raise refused
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension == "pdf":
        if not head.startswith(b"%PDF-"):
            raise refused
        return extension
    try:
        with zipfile.ZipFile(upload) as container:
            names = set(container.namelist())
    except (zipfile.BadZipFile, OSError) as error:
        raise refused from error
    finally:
        upload.seek(0)
    if ZIP_DOCUMENTS[extension] not in names:
        raise refused
    return extension
