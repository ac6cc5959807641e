"""Per-survey permissions: analysts who are limited to the surveys assigned to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Survey

# A user (directly or through a group) with this permission sees only the surveys assigned to
# them (SurveyAssignment); without it, their other permissions hold for every survey.
ONLY_ASSIGNED_PERMISSION = "survey.only_assigned_surveys"


class SurveyAssignment(models.Model):
    """One survey a limited analyst may work on (see ``survey.permissions``)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="survey_assignments",
    )

    class Meta:
        verbose_name = _("survey assignment")
        verbose_name_plural = _("survey assignments")
        ordering = ["survey_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_assignment_unique")
        ]
        permissions = [("only_assigned_surveys", _("Only assigned surveys"))]

    def __str__(self):
        return f"{self.user} – {self.survey}"
