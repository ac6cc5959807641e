"""Save and continue later: a questionnaire put aside by its participant, waiting for the
continuation code (four words) that was shown to them once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Survey


class ContinuationState(models.Model):
    """The sealed questionnaire state (``survey.sealing``), keyed by a keyed hash of the
    continuation code. Nothing else: no time (only the day it expires), no address, no
    session, no readable link to an access code or a response. Deleted when it is resumed
    (single use), when its access code is spent, when it expires
    (``survey_purge_continuations``) or with its survey."""

    key_hash = models.CharField(_("key"), max_length=64, primary_key=True)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="continuations"
    )
    box = models.BinaryField(_("sealed answers"))
    expires_on = models.DateField(_("expires on"), db_index=True)
    # A keyed hash of the access code inside the box (code surveys), so that spending the
    # code deletes the copy at once; empty for open surveys.
    access_code_hash = models.CharField(
        _("access code (hash)"), max_length=64, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("questionnaire put aside")
        verbose_name_plural = _("questionnaires put aside")

    def __str__(self):
        return str(_("Questionnaire put aside until %(day)s")) % {"day": self.expires_on}
