from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from media.models import MediaFile, MediaKind
from media.validators import DOCUMENT_EXTENSIONS, document_type, image_format

IMAGE_SUFFIXES = {"jpg", "jpeg", "png", "webp", "gif"}


def kind_of_upload(upload) -> str:
    """Image or document, by name first and then checked by content (ValidationError)."""
    suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if suffix == "svg":
        raise ValidationError(
            _(
                "SVG graphics cannot be uploaded (they can contain programs). Please save the "
                "graphic as PNG and upload that."
            ),
            code="svg",
        )
    if suffix in IMAGE_SUFFIXES:
        image_format(upload)
        return MediaKind.IMAGE
    if suffix in DOCUMENT_EXTENSIONS:
        document_type(upload)
        return MediaKind.DOCUMENT
    raise ValidationError(
        _(
            "Files of this type cannot be uploaded. Allowed: images (JPEG, PNG, WebP, GIF) and "
            "documents (%(types)s)."
        ),
        code="extension",
        params={"types": ", ".join(sorted(DOCUMENT_EXTENSIONS))},
    )


def title_from_name(name: str) -> str:
    stem = PurePath(name or "").stem
    return "".join(char for char in stem if char.isprintable()).strip()[:200]


class MediaFileAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_(
            "Images: JPEG, PNG, WebP or GIF. Documents: PDF, ODT, DOCX and other office files. "
            "Location data and camera details are removed from photos."
        ),
    )

    class Meta:
        model = MediaFile
        fields = ["title", "alt_text", "decorative", "caption", "credit", "focal_x", "focal_y"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField"}),
            "alt_text": forms.TextInput(attrs={"class": "vTextField"}),
            "caption": forms.TextInput(attrs={"class": "vTextField"}),
            "credit": forms.TextInput(attrs={"class": "vTextField"}),
            "focal_x": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
            "focal_y": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        if not self.instance.pk:
            self.fields["upload"].required = True
        else:
            self.fields["upload"].label = _("replace file")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            kind = kind_of_upload(upload)
            if self.instance.pk and kind != self.instance.kind:
                raise ValidationError(
                    _("Please replace an image by an image and a document by a document."),
                    code="kind_changed",
                )
            self.upload_kind = kind
        return upload

    def clean_focal_x(self):
        return self._focal("focal_x")

    def clean_focal_y(self):
        return self._focal("focal_y")

    def _focal(self, name):
        value = self.cleaned_data.get(name)
        if value is None or not 0 <= value <= 1:
            raise ValidationError(_("Please enter a number from 0 to 1."), code="focal")
        return value

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        kind = getattr(self, "upload_kind", None) or self.instance.kind
        if not cleaned.get("title") and upload:
            cleaned["title"] = title_from_name(upload.name) or str(_("Untitled"))
        if not cleaned.get("title") and not self.has_error("upload"):
            self.add_error("title", _("Please give the file a title."))
        if (
            kind == MediaKind.IMAGE
            and not cleaned.get("decorative")
            and not (cleaned.get("alt_text") or "").strip()
        ):
            self.add_error(
                "alt_text",
                _(
                    "Please describe the image: the alternative text is required unless the "
                    "image is purely decorative."
                ),
            )
        return cleaned
