"""Responsive images and document links for templates and for embed codes in rich text."""

import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from media.models import MediaFile, MediaKind, VariantStatus

# An embed code alone in its paragraph (as the rich-text editor stores it), or a document
# code anywhere in a text.
BLOCK_EMBED = re.compile(r"<p>\s*\[(bild|datei):(\d{1,10})\]\s*</p>")
INLINE_DOCUMENT = re.compile(r"\[datei:(\d{1,10})\]")
DEFAULT_SIZES = "(min-width: 992px) 800px, 100vw"


def _srcset(items: list[dict], storage) -> str:
    return ", ".join(f"{storage.url(item['name'])} {item['width']}w" for item in items)


def picture_context(media: MediaFile, *, shape: str = "crop", sizes: str = "", lazy=True):
    """What templates/includes/media_image.html needs to draw ``media``."""
    context = {
        "media": media,
        "alt": "" if media.decorative else media.alt_text,
        "sizes": sizes or DEFAULT_SIZES,
        "lazy": lazy,
        "shape": shape,
        "sources": [],
    }
    variants = media.variants.get(shape) if media.variants_status == VariantStatus.DONE else None
    if not variants:
        # Until `manage.py media_variants` has run: the (metadata-free) original, shaped by CSS.
        context.update(src=media.file.url, width=media.width, height=media.height, srcset="")
        return context
    storage = media.file.storage
    files = variants["files"]
    largest = files["jpeg"][-1]
    context.update(
        src=storage.url(files["jpeg"][min(1, len(files["jpeg"]) - 1)]["name"]),
        srcset=_srcset(files["jpeg"], storage),
        width=largest["width"],
        height=largest["height"],
        sources=[{"type": "image/webp", "srcset": _srcset(files["webp"], storage)}],
    )
    return context


def thumbnail_url(media: MediaFile) -> str:
    """The smallest 3:2 JPEG for lists in the admin; the original until variants exist."""
    variants = media.variants.get("crop") if media.variants_status == VariantStatus.DONE else None
    if not variants:
        return media.file.url
    return media.file.storage.url(variants["files"]["jpeg"][0]["name"])


def share_url(media: MediaFile) -> str:
    """The address of the image for link previews (og:image): the largest 3:2 JPEG."""
    variants = media.variants.get("crop") if media.variants_status == VariantStatus.DONE else None
    if not variants:
        return media.file.url
    return media.file.storage.url(variants["files"]["jpeg"][-1]["name"])


def render_picture(media, **options) -> SafeString:
    if media is None or media.kind != MediaKind.IMAGE:
        return mark_safe("")
    return mark_safe(  # safe: rendered by a template with autoescaping
        render_to_string("includes/media_image.html", picture_context(media, **options))
    )


def _render_document(media: MediaFile) -> str:
    return render_to_string("includes/media_document.html", {"media": media})


def _render_block(media: MediaFile | None, kind: str) -> str:
    if media is None:
        return ""  # deleted from the library, or a mistyped number: show nothing
    if kind == "bild" and media.kind == MediaKind.IMAGE:
        return render_to_string(
            "includes/media_figure.html",
            picture_context(media, shape="full", sizes=DEFAULT_SIZES),
        )
    if kind == "datei":
        return f"<p>{_render_document(media)}</p>"
    return ""


def expand_embeds(html: str) -> str:
    """Replace embed codes in sanitised HTML by figures and links (one query per text)."""
    ids = {int(n) for _k, n in BLOCK_EMBED.findall(html)} | {
        int(n) for n in INLINE_DOCUMENT.findall(html)
    }
    if not ids:
        return html
    files = MediaFile.objects.in_bulk(ids)
    html = BLOCK_EMBED.sub(lambda m: _render_block(files.get(int(m[2])), m[1]), html)
    return INLINE_DOCUMENT.sub(
        lambda m: _render_document(files[int(m[1])]) if int(m[1]) in files else "", html
    )
