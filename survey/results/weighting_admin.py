"""The weighting targets in the survey's admin: an inline of the population per group, and
taking the inhabitants over from the municipality profiles (``weighting_targets_prefill``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from survey.kinds import kind_values
from survey.models import Option, Survey, WeightingTarget


def weighting_targets_prefill(*, survey: Survey) -> int:
    """Targets for every answer that names a municipality and has none yet: the profile's
    inhabitants and their reference date. Returns how many were created."""
    options = (
        Option.objects.filter(question__survey=survey, municipality__isnull=False)
        .exclude(pk__in=WeightingTarget.objects.filter(survey=survey).values("option_id"))
        .filter(question__kind__in=kind_values("can_break_down"))
        .select_related("municipality")
    )
    created = [
        WeightingTarget(
            survey=survey,
            option=option,
            population=option.municipality.population,
            source=str(_("Municipality profile on this portal")),
            as_of=option.municipality.population_as_of,
        )
        for option in options
    ]
    for target in created:
        target.save()  # one by one: each save invalidates the cached results
    return len(created)


class WeightingTargetForm(forms.ModelForm):
    class Meta:
        model = WeightingTarget
        fields = ["option", "population", "source", "as_of", "is_demo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("population", "source", "as_of"):
            self.fields[name].required = False
        self.fields["population"].help_text = _("Empty for a municipality: taken from its profile.")

    def clean(self):
        """Empty figures of a municipality come from its profile; else all are needed."""
        data = super().clean()
        option = data.get("option")
        municipality = option.municipality if option is not None else None
        if municipality is not None and data.get("population") is None:
            data["population"] = municipality.population
            data["as_of"] = data.get("as_of") or municipality.population_as_of
            data["source"] = data.get("source") or str(_("Municipality profile on this portal"))
        for name in ("population", "source", "as_of"):
            if data.get(name) in (None, ""):
                self.add_error(name, _("Please enter this figure."))
        for name in ("population", "source", "as_of"):
            if name in data:
                setattr(self.instance, name, data[name])
        return data


class WeightingTargetInline(admin.TabularInline):
    """Inhabitants per municipality, age group or gender, for weighted results."""

    model = WeightingTarget
    form = WeightingTargetForm
    extra = 0
    verbose_name = _("weighting target")
    verbose_name_plural = _("weighting targets (population per group, for weighted results)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        options = Option.objects.none()
        if obj is not None:
            options = (
                Option.objects.filter(
                    question__survey=obj, question__kind__in=kind_values("can_break_down")
                )
                .select_related("question")
                .order_by("question__section__position", "question__position", "position")
            )
        formset.form.base_fields["option"].queryset = options
        formset.form.base_fields["option"].label_from_instance = lambda option: (
            f"{option.question.code}: {option.label}"
        )
        return formset
