"""Scanned paper questionnaires: the uploaded stack, the sheets read from it and the answers
staff still have to confirm.

Everything here is personal data (a scan shows handwriting): the files live in the private
storage (``survey.scanning.storage``), never under ``MEDIA_URL``, and are deleted with the
survey's raw data (``survey_delete_raw_data``). A sheet number is held by at most one sheet
that is waiting for review or stored (database constraint); a rescanned sheet becomes a
duplicate and stores nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Question, Survey
from survey.models.responses import Response
from survey.scanning.storage import get_private_storage


def scan_upload_path(instance, filename: str) -> str:
    # A random name: the uploaded file name (often a place or a person) stays in the row only.
    extension = "tif" if filename.lower().endswith((".tif", ".tiff")) else "pdf"
    return f"scans/{instance.survey_id}/{uuid.uuid4().hex}.{extension}"


def scan_crop_path(instance, filename: str) -> str:
    sheet = instance.answer.sheet if isinstance(instance, ScanTextCrop) else instance.sheet
    return f"scans/{sheet.survey_id}/crops/{uuid.uuid4().hex}.png"


class ScanBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    PROCESSING = "processing", _("Being read")
    DONE = "done", _("Read")
    FAILED = "failed", _("Failed")


class ScanBatch(models.Model):
    """One uploaded stack of scanned questionnaires and how far reading it has come."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="scan_batches"
    )
    file = models.FileField(
        _("scanned stack"), upload_to=scan_upload_path, storage=get_private_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    label = models.CharField(
        _("Batch or collection point"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Rathaus Mügeln, Stapel 3. Kept for the next sheet."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ScanBatchStatus.choices, default=ScanBatchStatus.QUEUED
    )
    pages_done = models.PositiveIntegerField(_("pages read"), default=0)
    pages_total = models.PositiveIntegerField(_("pages"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Set by the process reading the stack at every page: a stale one (the process died) lets
    # the next `paper_scan_work` take the stack over.
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scanned stack")
        verbose_name_plural = _("scanned stacks")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.original_name or _("Stack %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return reverse("admin:survey_scanbatch_change", args=[self.pk])


class ScannedSheetState(models.TextChoices):
    REVIEW = "review", _("Needs review")
    STORED = "stored", _("Stored")
    DUPLICATE = "duplicate", _("Duplicate")
    PROBLEM = "problem", _("Problem")


# The states in which a sheet holds its number: nobody else may store it.
HOLDS_NUMBER = (ScannedSheetState.REVIEW, ScannedSheetState.STORED)


class ScannedSheet(models.Model):
    """One printed copy of the questionnaire as read from a stack."""

    batch = models.ForeignKey(
        ScanBatch, verbose_name=_("scanned stack"), on_delete=models.CASCADE, related_name="sheets"
    )
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    sheet_number = models.PositiveIntegerField(_("sheet number"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ScannedSheetState.choices)
    problems = models.TextField(_("problems"), blank=True)
    scan_pages = models.JSONField(_("pages in the stack"), default=list)
    response = models.ForeignKey(
        Response,
        verbose_name=_("response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scanned sheet")
        verbose_name_plural = _("scanned sheets")
        ordering = ["batch_id", "id"]
        constraints = [
            # A rescanned page never becomes a second sheet in review or a second response.
            models.UniqueConstraint(
                fields=["survey", "sheet_number"],
                condition=Q(state__in=HOLDS_NUMBER) & Q(sheet_number__isnull=False),
                name="scanned_sheet_number_once",
            ),
        ]

    def __str__(self):
        if self.sheet_number is None:
            return _("Unreadable sheet")
        return _("Paper sheet %(number)s") % {"number": self.sheet_number}

    def get_absolute_url(self):
        return self.batch.get_absolute_url()

    @property
    def page_numbers(self) -> str:
        """The pages of the stack it was read from, counted from 1 as staff count them."""
        return ", ".join(str(index + 1) for index in self.scan_pages)


class ScanAnswer(models.Model):
    """The machine's reading of one question of one sheet: proposed answers, how sure it
    was, and – once staff looked at it, or at once if it was sure – the confirmed answers."""

    sheet = models.ForeignKey(
        ScannedSheet,
        verbose_name=_("scanned sheet"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    proposed = models.JSONField(_("proposed answers"), default=list)
    confidence = models.FloatField(_("confidence"), default=1.0)
    reason = models.CharField(_("reason for review"), max_length=300, blank=True)
    crop = models.FileField(
        _("cut-out"),
        upload_to=scan_crop_path,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    confirmed = models.JSONField(_("confirmed answers"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scanned answer")
        verbose_name_plural = _("scanned answers")
        ordering = ["sheet_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "question"], name="scan_answer_once"),
        ]

    def __str__(self):
        return f"{self.sheet} – {self.question.code}"

    def get_absolute_url(self):
        return self.sheet.get_absolute_url()


class ScanTextCrop(models.Model):
    """A free-text area of a question cut out of the scan, for staff to type."""

    answer = models.ForeignKey(
        ScanAnswer,
        verbose_name=_("scanned answer"),
        on_delete=models.CASCADE,
        related_name="text_crops",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.FileField(
        _("cut-out"), upload_to=scan_crop_path, storage=get_private_storage, max_length=200
    )

    class Meta:
        verbose_name = _("free-text cut-out")
        verbose_name_plural = _("free-text cut-outs")
        ordering = ["answer_id", "position"]

    def __str__(self):
        return str(self.answer)
