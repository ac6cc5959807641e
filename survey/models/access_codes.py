"""Access codes: one-time codes printed on invitations to a survey that is not open to
everyone."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Survey


class AccessCode(models.Model):
    """A one-time code printed on an invitation. Deliberately not linked to its response."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="access_codes"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    used = models.BooleanField(_("used"), default=False)
    used_on = models.DateField(
        _("used on"), null=True, blank=True, help_text=_("The day only, never the time.")
    )

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["survey_id", "code"]
        indexes = [models.Index(fields=["survey", "used"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(used=True, used_on__isnull=False) | Q(used=False, used_on__isnull=True),
                name="access_code_used_on_day",
            )
        ]

    def __str__(self):
        # An unused code is a ballot: the admin (titles, checkbox labels, its own log) names
        # it by number; the logged print list and CSV are the way to read it.
        if self.used:
            return self.code
        return _("Unused access code #%(id)s") % {"id": self.pk}
