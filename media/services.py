"""Writes of the media library: storing uploads without metadata, making the responsive
variants (outside the request, see ``manage.py media_variants``) and deleting unused files."""

import io
import logging
import warnings
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from media.models import MediaFile, MediaKind, VariantStatus
from media.usage import media_usages
from media.validators import IMAGE_EXTENSIONS, document_type, image_format

logger = logging.getLogger(__name__)

# Widths of the variants; none is wider than the original.
VARIANT_WIDTHS = (480, 960, 1600)
# "crop": 3:2 around the focal point (cards, article and event images, photos);
# "full": the whole image (figures in texts, coats of arms).
SHAPES = {"crop": (3, 2), "full": None}
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}), "jpeg": ("JPEG", {"quality": 82})}


class MediaInUseError(Exception):
    """Raised when a file that is still used somewhere is to be deleted."""

    def __init__(self, media: MediaFile, usages: list[tuple[str, str]]):
        self.media = media
        self.usages = usages
        places = ", ".join(label for label, _url in usages)
        super().__init__(
            _("“%(title)s” is still used and was not deleted: %(places)s.")
            % {"title": media.title, "places": places}
        )


def _open(data) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(data) as source:
            source.load()
            return ImageOps.exif_transpose(source)


def _without_metadata(upload, found_format: str) -> tuple[bytes, int, int]:
    """Re-encode the image: EXIF (camera, GPS position), XMP and comments are left behind;
    the orientation is applied to the pixels first."""
    upload.seek(0)
    image = _open(upload)
    if found_format == "JPEG" or image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    options = FORMATS["jpeg"][1] if found_format == "JPEG" else {}
    image.save(buffer, format=found_format, **options)
    return buffer.getvalue(), image.width, image.height


def media_file_store_upload(*, media: MediaFile, upload) -> MediaFile:
    """Put a validated upload into ``media`` (not saved): images without metadata and queued
    for their variants, documents as they are. Raises ValidationError for foreign files."""
    if media.kind == MediaKind.IMAGE:
        found = image_format(upload)
        data, media.width, media.height = _without_metadata(upload, found)
        media.file_type = IMAGE_EXTENSIONS[found]
        media.file.save(f"upload.{media.file_type}", ContentFile(data), save=False)
        media.size = len(data)
        media.variants, media.variants_status = {}, VariantStatus.PENDING
    else:
        media.file_type = document_type(upload)
        upload.seek(0)
        media.file.save(f"upload.{media.file_type}", upload, save=False)
        media.size = media.file.size
        media.width = media.height = None
        media.variants, media.variants_status = {}, VariantStatus.NONE
    return media


def _crop(image: Image.Image, ratio, focal_x: float, focal_y: float) -> Image.Image:
    """The largest box of the ratio that fits, centred on the focal point as far as possible."""
    if ratio is None:
        return image
    width, height = image.size
    box_w = min(width, round(height * ratio[0] / ratio[1]))
    box_h = min(height, round(box_w * ratio[1] / ratio[0]))
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return image.crop((left, top, left + box_w, top + box_h))


def _encode(image: Image.Image, width: int, file_format: str) -> tuple[bytes, int]:
    height = round(image.height * width / image.width)
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    pillow_format, options = FORMATS[file_format]
    buffer = io.BytesIO()
    resized.save(buffer, format=pillow_format, **options)
    return buffer.getvalue(), height


def _delete_variants(media: MediaFile) -> None:
    storage = media.file.storage
    for shape in media.variants.values():
        for items in shape.get("files", {}).values():
            for item in items:
                storage.delete(item["name"])
    media.variants = {}


def media_file_make_variants(*, media: MediaFile) -> MediaFile:
    """Write WebP and JPEG copies in every width and shape; record them on the file."""
    _delete_variants(media)
    media.file.open("rb")
    try:
        image = _open(media.file).convert("RGB")
    finally:
        media.file.close()
    stem = PurePosixPath(media.file.name).stem
    variants = {}
    for shape, ratio in SHAPES.items():
        cropped = _crop(image, ratio, media.focal_x, media.focal_y)
        widths = sorted({min(width, cropped.width) for width in VARIANT_WIDTHS})
        files = {}
        for file_format in FORMATS:
            files[file_format] = []
            for width in widths:
                data, height = _encode(cropped, width, file_format)
                name = media.file.storage.save(
                    f"library/variants/{stem}-{shape}-{width}.{file_format}", ContentFile(data)
                )
                files[file_format].append({"name": name, "width": width, "height": height})
        variants[shape] = {"files": files}
    media.variants = variants
    media.variants_status = VariantStatus.DONE
    media.save(update_fields=["variants", "variants_status", "updated_at"])
    return media


def media_variants_process(*, limit: int = 50) -> tuple[int, int]:
    """Work through the queue: (made, failed). A broken file is marked and skipped."""
    made = failed = 0
    for media in MediaFile.objects.pending_variants().order_by("pk")[:limit]:
        try:
            media_file_make_variants(media=media)
            made += 1
        except Exception:  # a single broken file must not stop the queue
            logger.exception("Variants of media file %s failed", media.pk)
            MediaFile.objects.filter(pk=media.pk).update(variants_status=VariantStatus.FAILED)
            failed += 1
    return made, failed


def media_file_focal_point_changed(*, media: MediaFile) -> None:
    """The crops follow the focal point: queue the image again (saved by the caller)."""
    if media.kind == MediaKind.IMAGE:
        media.variants_status = VariantStatus.PENDING


def media_file_delete(*, media: MediaFile) -> None:
    """Delete an unused file with its variants; MediaInUseError when it is still used."""
    usages = media_usages(media)
    if usages:
        raise MediaInUseError(media, usages)
    with transaction.atomic():
        _delete_variants(media)
        name, storage = media.file.name, media.file.storage
        media.delete()
        transaction.on_commit(lambda: storage.delete(name))
