"""The media library: images and documents uploaded once and reused everywhere.

This app imports no other app of the project. Who uses a file is found through the foreign
keys pointing at ``MediaFile`` and the rich-text fields the other apps register in
``media.usage``.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    DOCUMENT = "document", _("Document")


class VariantStatus(models.TextChoices):
    """The queue of ``manage.py media_variants``: images waiting for their smaller copies."""

    PENDING = "pending", _("Waiting")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    NONE = "none", _("Not needed")


def media_upload_to(instance: "MediaFile", filename: str) -> str:
    """A random name: nobody guesses addresses, and the uploader's file name (personal names,
    dates) never reaches the public."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"library/{uuid.uuid4().hex}{suffix}"


class MediaFileQuerySet(models.QuerySet):
    def images(self):
        return self.filter(kind=MediaKind.IMAGE)

    def pending_variants(self):
        return self.filter(kind=MediaKind.IMAGE, variants_status=VariantStatus.PENDING)


class MediaFile(models.Model):
    """One uploaded image or document with its description, credit and focal point."""

    kind = models.CharField(_("kind"), max_length=20, choices=MediaKind.choices)
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("Name in the media library; documents show it as the link text."),
    )
    file = models.FileField(_("file"), upload_to=media_upload_to, max_length=200)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=250,
        blank=True,
        help_text=_(
            "Describe what the image shows for people who cannot see it. Required for "
            "images unless the image is purely decorative."
        ),
    )
    decorative = models.BooleanField(
        _("purely decorative"),
        default=False,
        help_text=_("Tick only if the image adds no information (screen readers skip it)."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(
        _("credit and licence"),
        max_length=200,
        blank=True,
        help_text=_("For example “Foto: Stadt Oschatz” or “CC BY 4.0 Max Muster”."),
    )
    focal_x = models.FloatField(
        _("focal point (horizontal)"),
        default=0.5,
        help_text=_("0 = left edge, 1 = right edge. Crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point (vertical)"),
        default=0.5,
        help_text=_("0 = top edge, 1 = bottom edge."),
    )
    width = models.PositiveIntegerField(_("width (pixels)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (pixels)"), null=True, blank=True)
    size = models.PositiveIntegerField(_("file size (bytes)"), default=0)
    file_type = models.CharField(_("file type"), max_length=10, blank=True)
    variants = models.JSONField(_("variants"), default=dict, blank=True, editable=False)
    variants_status = models.CharField(
        _("smaller versions"),
        max_length=20,
        choices=VariantStatus.choices,
        default=VariantStatus.NONE,
        db_index=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MediaFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MediaKind.values), name="mediafile_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=MediaKind.IMAGE)
                | models.Q(decorative=True)
                | ~models.Q(alt_text=""),
                name="mediafile_image_needs_alt",
            ),
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="mediafile_focal_point_inside",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return self.file.url

    @property
    def is_image(self) -> bool:
        return self.kind == MediaKind.IMAGE

    @property
    def embed_code(self) -> str:
        """What an editor writes, in a paragraph of its own, to show the file in a text."""
        return f"[{'bild' if self.is_image else 'datei'}:{self.pk}]"
