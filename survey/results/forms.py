"""Forms of the results side: the breakdown chooser and the analysts' admin forms."""

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from portal.widgets import PlainSelect
from survey.models import Answer, Theme


class BreakdownForm(forms.Form):
    """Plain GET form: no JavaScript needed to choose a breakdown."""

    nach = forms.ChoiceField(
        label=_("Break down by"),
        required=False,
        widget=PlainSelect(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nach"].choices = [("", _("no breakdown")), *choices]


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Themes of different questions may share a label: name the question too.
        return f"{obj.question.code} · {obj.label}"


class ThemeActionForm(ActionForm):
    """The admin's action bar on free-text answers, with a theme to add or remove; the list
    of answers filtered by question offers only that question's themes
    (``FreeTextAnswerAdmin.changelist_view``)."""

    theme = ThemeChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.select_related("question").order_by(
            "question__survey_id", "question__code", "position", "label"
        ),
        required=False,
    )


class AnswerCodingForm(forms.ModelForm):
    """Change form of one free-text answer: its text read-only, its themes as checkboxes."""

    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Answer
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["themes"].queryset = Theme.objects.filter(
                question_id=self.instance.question_id
            )
            self.fields["themes"].initial = list(
                self.instance.codings.values_list("theme_id", flat=True)
            )
