"""Responses and their answers, the mixing pool of online responses waiting to be written,
and the lock that stops a questionnaire from being stored twice.

Answers are stored one row per chosen option, matrix cell or value, so that the database can
count them (results are aggregation queries, not Python loops over responses). A response
carries the day it was submitted and nothing about the person: no IP address, no user agent,
no time of day, and no link to an access code.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from survey.models.definition import MatrixItem, Option, Question, Survey


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class Response(models.Model):
    """One filled-in questionnaire. Deliberately without time of day, IP or user agent."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submitted_on = models.DateField(_("submitted on"))
    sheet_number = models.PositiveIntegerField(
        _("sheet number"),
        null=True,
        blank=True,
        help_text=_("Number written on the paper questionnaire."),
    )
    batch = models.CharField(
        _("batch"), max_length=100, blank=True, help_text=_("Collection point or batch label.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Counted into the survey's ``ResultTally`` rows? Empty until the results are next
    # computed, False only inside the run that counts it. Deliberately no run number, which
    # would tell roughly when the response arrived.
    tallied = models.BooleanField(
        _("counted in the results"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey_id", "id"]
        indexes = [
            models.Index(fields=["survey", "channel"]),
            models.Index(fields=["survey", "submitted_on"]),
            models.Index(fields=["survey", "tallied"], name="response_tallied"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "sheet_number"], name="response_sheet_number_unique"
            ),
            # Paper responses carry their sheet number; online ones nothing about entry.
            models.CheckConstraint(
                condition=Q(channel=Channel.PAPER, sheet_number__isnull=False)
                | Q(
                    channel=Channel.ONLINE,
                    sheet_number__isnull=True,
                    batch="",
                    entered_by__isnull=True,
                ),
                name="response_channel_fields",
            ),
        ]

    def __str__(self):
        if self.sheet_number is not None:
            return _("Paper sheet %(number)s") % {"number": self.sheet_number}
        return _("Response %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return self.survey.get_absolute_url()


class Answer(models.Model):
    """One chosen option, matrix cell, number, date or text of a response; a ranked option
    carries its rank (1 = first) in ``number``."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("option"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    item = models.ForeignKey(
        MatrixItem,
        verbose_name=_("matrix item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    number = models.IntegerField(
        _("number"),
        null=True,
        blank=True,
        help_text=_("Scale value, matrix cell, number, yes (1) or no (0), or a rank."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("Free text or other-text."))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response_id", "id"]
        indexes = [
            models.Index(fields=["question", "option"]),
            models.Index(fields=["question", "item", "number"]),
            models.Index(fields=["response", "question"]),
        ]
        constraints = [
            # An answer says something: an option, a number, a date or a text.
            models.CheckConstraint(
                condition=Q(option__isnull=False)
                | Q(number__isnull=False)
                | Q(date__isnull=False)
                | ~Q(text=""),
                name="answer_not_empty",
            ),
            # A matrix cell always has its value.
            models.CheckConstraint(
                condition=Q(item__isnull=True) | Q(number__isnull=False, option__isnull=True),
                name="answer_matrix_cell_has_value",
            ),
            # An option carries a number only as its rank (ranking questions).
            models.CheckConstraint(
                condition=Q(option__isnull=True) | Q(number__isnull=True) | Q(number__gte=1),
                name="answer_option_rank",
            ),
        ]

    def __str__(self):
        return f"{self.question.code}"

    def get_absolute_url(self):
        return self.response.get_absolute_url()


class SubmissionLock(models.Model):
    """The random token of a questionnaire that is being stored (one per browser session).

    A double click or a resent last page finds the token taken and stores nothing; kept in
    the database so that this holds across app servers that share no cache. Not linked to
    the response; removed after a day.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    created_on = models.DateField(_("created on"))

    class Meta:
        verbose_name = _("submission lock")
        verbose_name_plural = _("submission locks")
        indexes = [models.Index(fields=["created_on"])]

    def __str__(self):
        return self.token


class PooledResponse(models.Model):
    """An online response waiting in the mixing pool (``survey.services.response_pool``).

    It holds the answers sealed (encrypted with a key that is not in the database) and
    nothing else that could date it or order it: a random id, no time, no day, no sequence.
    The pool is written out in random order as ordinary responses once enough have arrived.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    sealed = models.BinaryField(_("sealed answers"))

    class Meta:
        verbose_name = _("response waiting in the pool")
        verbose_name_plural = _("responses waiting in the pool")
        ordering = ["survey_id", "id"]

    def __str__(self):
        return str(self.survey)

    def get_absolute_url(self):
        return self.survey.get_absolute_url()
