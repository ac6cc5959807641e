"""Weighting targets: how many people of the population are in each group of a
characteristic (municipality, age group, gender), so that the results can be weighted to
the population (``survey.results.weights``)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Option, Survey


class WeightingTarget(models.Model):
    """The population of one group: one answer option of a characteristic question (the
    municipality question's option “Oschatz”, the age question's “60 bis 74” …)."""

    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="weighting_targets",
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("group (answer)"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("An answer of a one-answer question, e.g. a municipality or an age group."),
    )
    population = models.PositiveIntegerField(
        _("population"), help_text=_("Number of inhabitants in this group.")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Where the figure comes from, e.g. Statistisches Landesamt Sachsen."),
    )
    as_of = models.DateField(_("as of"), help_text=_("The reference date of the figure."))
    is_demo = models.BooleanField(
        _("demo figure"),
        default=False,
        help_text=_("Made up for the demo, not an official figure: said on the results page."),
    )

    class Meta:
        verbose_name = _("weighting target")
        verbose_name_plural = _("weighting targets")
        ordering = ["option__question__position", "option__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "option"], name="weighting_target_unique")
        ]

    def __str__(self):
        return f"{self.option.label}: {self.population}"

    def clean(self):
        super().clean()
        option = getattr(self, "option", None)
        if option is None or not self.survey_id:
            return
        question = option.question
        if question.survey_id != self.survey_id:
            raise ValidationError({"option": _("This answer belongs to another survey.")})
        from survey.kinds import kind_of  # the kinds import the models

        if not kind_of(question).can_break_down:
            raise ValidationError(
                {"option": _("Only answers of a question with one answer per person count.")}
            )
