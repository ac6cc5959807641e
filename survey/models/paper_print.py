"""Machine-readable paper questionnaires: the layout every printed copy follows, and the
sheet numbers issued so far (``survey.scanning``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Survey


class PaperLayout(models.Model):
    """Where every box and text area of the printed questionnaire is (PDF points, origin top
    left), computed once per questionnaire version. The fingerprint is a hash of the layout
    itself; the QR code of every printed page carries its start, so a scan is read with the
    map it was printed from, even after the questionnaire changed."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="paper_layouts"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    data = models.JSONField(_("layout"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper layout")
        verbose_name_plural = _("paper layouts")
        ordering = ["survey_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "fingerprint"], name="paper_layout_fingerprint_unique"
            )
        ]

    def __str__(self):
        return f"{self.survey} ({self.fingerprint[:10]})"


class PaperSheetBatch(models.Model):
    """Sheet numbers ``first`` … ``first + count - 1`` printed on numbered copies: the
    counter that keeps printed numbers apart from each other and from typed-in sheets."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="sheet_batches"
    )
    layout = models.ForeignKey(
        PaperLayout, verbose_name=_("layout"), on_delete=models.PROTECT, related_name="batches"
    )
    first = models.PositiveIntegerField(_("first sheet number"))
    count = models.PositiveIntegerField(_("number of sheets"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("batch of printed sheets")
        verbose_name_plural = _("batches of printed sheets")
        ordering = ["survey_id", "first"]
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=1), name="sheet_batch_not_empty"),
            models.UniqueConstraint(fields=["survey", "first"], name="sheet_batch_first_unique"),
        ]

    def __str__(self):
        return f"{self.survey}: {self.first}–{self.last}"

    @property
    def last(self) -> int:
        return self.first + self.count - 1
