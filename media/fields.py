"""The one way content points at the media library: an optional image of the library."""

from django.db import models


def library_image(verbose_name, *, related_name: str, help_text) -> models.ForeignKey:
    """An optional image from the media library. PROTECT: a used file cannot be deleted
    (the library names where it is used); only images can be chosen."""
    return models.ForeignKey(
        "media.MediaFile",
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        limit_choices_to={"kind": "image"},
        help_text=help_text,
    )
