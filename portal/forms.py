from urllib.parse import urlsplit

from django import forms
from django.contrib.redirects.models import Redirect
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

from portal.memo import remember_part
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
EMBED_HELP = _(
    "Images and files from the media library: write their code, for example [bild:12], in a "
    "paragraph of its own (the code is shown in the media library)."
)


class RichTextFormField(forms.CharField):
    """A long text edited with the rich-text editor and stored sanitised (portal.sanitize)."""

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = AdminProseEditorWidget(config=PROSE_EDITOR_CONFIG)
        kwargs.pop("max_length", None)
        super().__init__(*args, **kwargs)
        if self.help_text:
            self.help_text = format_lazy("{} {}", self.help_text, EMBED_HELP)
        else:
            self.help_text = EMBED_HELP

    def clean(self, value):
        return clean_html(super().clean(value))


class NewsArticleAdminForm(forms.ModelForm):
    class Meta:
        model = NewsArticle
        fields = [
            "title",
            "slug",
            "teaser",
            "body",
            "image",
            "topics",
            "municipalities",
            "status",
            "published_at",
        ]
        field_classes = {"body": RichTextFormField}


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


def share_choices(request, form: forms.Form, *names: str) -> None:
    """Give the select fields ``names`` of a filter form their options from this worker's
    memory under the content version (``portal.memo.remember_part``): the municipalities
    and topics are the same for every visitor, and reading them was a query per field on
    every list page. Only the options: the submitted value is still validated against the
    field's queryset, and which option is selected is decided per request."""
    for name in names:
        field = form.fields[name]
        field.choices = remember_part(
            request,
            ("choices", type(form).__module__, type(form).__qualname__, name),
            lambda field=field: [(str(value), str(label)) for value, label in field.choices],
        )


# The longest filter query string (valid filters only) under which a list is kept in memory.
MAX_KEPT_QUERY = 200


def keeps_filtered_list(form: forms.Form, filter_query: str) -> bool:
    """Whether a list page may keep its list per worker under its filter and query string
    (``{% part … if keep_list %}``): only for the filters the form offers and a short query,
    so a value somebody typed never becomes a key."""
    return (not form.is_bound or form.is_valid()) and len(filter_query) <= MAX_KEPT_QUERY


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
