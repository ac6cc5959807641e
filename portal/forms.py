import warnings
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from PIL import Image

from portal.models import Municipality, NewsArticle, Topic
from portal.sanitize import clean_html
from portal.spam import SpamProtectedForm
from portal.widgets import PlainSelect

# The editor offers exactly what portal.sanitize allows, so nothing typed gets lost.
PROSE_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
        "HardBreak": True,
        "History": True,
    }
}
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_uploaded_image(upload) -> None:
    """Refuse oversized files and anything that is not a real JPEG/PNG/WebP/GIF image."""
    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise forms.ValidationError(
            _("The file is too large (%(size)s). Please upload an image of at most %(max)s.")
            % {
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.MAX_UPLOAD_SIZE),
            },
            code="too_large",
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Our own pixel limit below is lower and gives the editor a clear message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
    except Image.DecompressionBombError as error:
        raise forms.ValidationError(
            _(
                "The image has far too many pixels. Please reduce it to at most %(max)s "
                "megapixels (for example 6000 × 4000 pixels) and upload it again."
            )
            % {"max": settings.MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from error
    except Exception as error:  # Pillow raises many kinds for broken or foreign files
        raise forms.ValidationError(
            _("This file is not an image. Please upload a JPEG, PNG or WebP file."),
            code="not_image",
        ) from error
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise forms.ValidationError(
            _("This file is not an image. Please upload a JPEG, PNG or WebP file."),
            code="not_image",
        )
    # A small file can decode to a huge picture; making the variants would then tie up a
    # worker for many seconds and hundreds of megabytes.
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise forms.ValidationError(
            _(
                "The image has too many pixels (%(width)d × %(height)d pixels). Please reduce "
                "it to at most %(max)s megapixels (for example 6000 × 4000 pixels) and upload "
                "it again."
            )
            % {"width": width, "height": height, "max": settings.MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        )


class NewsArticleAdminForm(forms.ModelForm):
    class Meta:
        model = NewsArticle
        fields = [
            "title",
            "slug",
            "teaser",
            "body",
            "image",
            "image_alt",
            "topics",
            "municipalities",
            "status",
            "published_at",
        ]
        widgets = {"body": AdminProseEditorWidget(config=PROSE_EDITOR_CONFIG)}

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            validate_uploaded_image(image)
        return image

    def clean_body(self):
        return clean_html(self.cleaned_data.get("body", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt",
                _("Please describe the image: the alternative text is required with an image."),
            )
        return cleaned


class RedirectForm(forms.ModelForm):
    """Redirect targets: a path of this site, or (superusers only, see LocalRedirectForm) an
    absolute http(s) address."""

    class Meta:
        model = Redirect
        fields = ["site", "old_path", "new_path"]

    def clean_new_path(self):
        target = self.cleaned_data.get("new_path", "").strip()
        if not target:
            return target  # empty: the old address answers "410 Gone"
        parts = urlsplit(target)
        if "\\" in target or any(ord(char) < 33 for char in target):
            raise forms.ValidationError(
                _("Please enter the address without spaces or backslashes.")
            )
        if parts.scheme or parts.netloc or target.startswith("//"):
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise forms.ValidationError(
                    _("Please enter a path of this website (starting with /) or an https address.")
                )
            return target
        if not target.startswith("/"):
            raise forms.ValidationError(_("Please enter a path starting with /."))
        return target


class LocalRedirectForm(RedirectForm):
    """Staff other than superusers redirect only within this site: a redirect from our address
    to a stranger's site would lend our name to phishing."""

    def clean_new_path(self):
        target = self.cleaned_data.get("new_path", "").strip()
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("//"):
            raise forms.ValidationError(
                _(
                    "Only addresses of this website are allowed as the target (a path starting "
                    "with /, e.g. /aktuelles/). Links to other websites are set by an "
                    "administrator."
                )
            )
        return super().clean_new_path()


class NewsFilterForm(forms.Form):
    """GET filter of the news list; unknown values are ignored, never an error page."""

    thema = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    kommune = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All municipalities"),
        widget=PlainSelect(attrs={"class": "form-select"}),
    )


class IdeaForm(SpamProtectedForm):
    title = forms.CharField(label=_("Title of your idea"), max_length=150)
    text = forms.CharField(
        label=_("Your idea"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should change, and where? At most 4,000 characters."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=_("Whole region"),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        required=False,
        empty_label=_("No particular topic"),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=100,
        required=False,
        help_text=_("Shown with your idea if it is published."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("Only for our reply. It is never published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the cooperation management stores my idea and, after review, "
            "publishes it on this portal."
        ),
        help_text=_("Details in the privacy notice."),
    )

    field_order = ["title", "text", "municipality", "topic", "name", "email", "consent"]


class ContactForm(SpamProtectedForm):
    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("So that we can answer you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    field_order = ["name", "email", "subject", "message"]
