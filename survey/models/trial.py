"""What happens before and around the real responses without being one: questionnaires sent
in test mode by staff (``TrialResponse``) and the drop-out counters (``ProgressCount``).

Neither is a ``Response``: nothing here reaches the mixing pool, the results, the exports or
the response counts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Section, Survey


class TrialResponse(models.Model):
    """A questionnaire sent in test mode before the survey opens. Staff test their own
    questionnaire, so who tested is kept; deleted when the survey opens
    (``survey.trial.trial_responses_discard``)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="trial_responses"
    )
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tested_on = models.DateField(_("tested on"))
    answers = models.JSONField(_("answers"), default=list)

    class Meta:
        verbose_name = _("test response")
        verbose_name_plural = _("test responses")
        ordering = ["survey_id", "-id"]

    def __str__(self):
        return _("Test response %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return self.survey.get_absolute_url()


class ProgressStage(models.TextChoices):
    STARTED = "started", _("started")
    REACHED = "reached", _("reached the page")
    FINISHED = "finished", _("finished")


class ProgressCount(models.Model):
    """How many questionnaires of a survey were started, reached a page or were finished on
    one day: a counter, incremented at the moment, nothing else. No session, no token, no
    answer, no time of day; the day is the finest it gets."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    stage = models.CharField(_("stage"), max_length=10, choices=ProgressStage.choices)
    section = models.ForeignKey(
        Section,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("progress count")
        verbose_name_plural = _("progress counts")
        ordering = ["survey_id", "day", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "day", "stage", "section"],
                nulls_distinct=False,
                name="progress_count_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="reached", section__isnull=False)
                | (~models.Q(stage="reached") & models.Q(section__isnull=True)),
                name="progress_count_section_only_when_reached",
            ),
        ]

    def __str__(self):
        return f"{self.survey_id} {self.day} {self.stage}"
