from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from events.models import EventKind
from events.validators import canonical_email
from portal.models import Municipality
from portal.spam import SpamProtectedForm
from portal.widgets import PlainSelect


class EventFilterForm(forms.Form):
    """The filter above the event list: a plain GET form that works without JavaScript."""

    kommune = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All municipalities"),
        widget=PlainSelect(attrs={"class": "form-select"}),
    )
    art = forms.ChoiceField(
        label=_("Kind of event"),
        choices=[("", _("All kinds")), *EventKind.choices],
        required=False,
        widget=PlainSelect(attrs={"class": "form-select"}),
    )

    def full_clean(self):
        super().full_clean()
        # Mark invalid fields for assistive technology and the eye (see filter_fields.html).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs = {
                    **widget.attrs,
                    "class": "form-select is-invalid",
                    "aria-describedby": f"{self[name].auto_id}_error",
                }


class RegistrationForm(SpamProtectedForm):
    """Honeypot, minimum fill time and a single-use token as for ideas and contact."""

    field_order = ["name", "email", "persons", "accessibility_needs", "consent"]

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send you a link to confirm the registration to this address; it counts once "
            "you have confirmed it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    persons = forms.IntegerField(
        label=_("Number of persons"),
        min_value=1,
        initial=1,
        help_text=_("Including yourself."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        required=False,
        max_length=1000,
        help_text=_("For example step-free access, a sign language interpreter or a hearing loop."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_("I agree that my details are stored to organise this event."),
        help_text=_(
            "Only the organisers see them. They are deleted %(days)d days after the event."
        ),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = event.max_persons_per_registration
        persons = self.fields["persons"]
        persons.max_value = maximum
        persons.validators.append(MaxValueValidator(maximum))
        persons.widget.attrs["max"] = maximum
        persons.help_text = _("Including yourself; at most %(max)d.") % {"max": maximum}
        self.fields["consent"].help_text = self.fields["consent"].help_text % {
            "days": settings.EVENTS_REGISTRATION_RETENTION_DAYS
        }

    def clean_email(self) -> str:
        return canonical_email(self.cleaned_data["email"])
