"""Results: how they are published, the coding of free texts into themes, released
quotes, and the counted answers (tallies) the results page adds up."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from survey.models.definition import Question, Survey
from survey.models.responses import Answer


class ResultsPublication(models.Model):
    """How the results of one survey are published, and when its raw data is deleted.

    The survey's status says whether the results are public (``SurveyStatus.PUBLISHED``);
    this row records who published them and as of which day, which questions stay
    internal, and the retention date of the raw free texts.
    """

    survey = models.OneToOneField(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    data_as_of = models.DateField(
        _("data as of"),
        null=True,
        blank=True,
        help_text=_("The day the published figures refer to; empty means the closing day."),
    )
    hidden_questions = models.ManyToManyField(
        Question,
        verbose_name=_("questions not published"),
        blank=True,
        related_name="+",
        help_text=_("These questions appear only in the staff preview and in exports."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest number shown"),
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_(
            "Disclosure control: groups with fewer responses are not shown on their own, and "
            "in tables by group no count below this number and no percentage of fewer "
            "responses is published. Empty means the site's default (usually 5)."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    publisher_name = models.CharField(
        _("published by (name shown)"),
        max_length=150,
        blank=True,
        help_text=_("Name or office shown on the results page, e.g. Kooperationsmanagement."),
    )
    delete_raw_after = models.DateField(
        _("delete raw data after"),
        null=True,
        blank=True,
        help_text=_(
            "After this day the nightly clean-up deletes free-text answers and paper batch "
            "details. Themes, counts and released quotes stay."
        ),
    )
    raw_deleted_at = models.DateTimeField(_("raw data deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("results publication")
        verbose_name_plural = _("results publications")
        ordering = ["-survey__opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__isnull=True)
                | Q(min_group_size__gte=3, min_group_size__lte=100),
                name="publication_min_group_size_range",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(publisher_name=""),
                name="results_publication_names_publisher",
            ),
        ]
        permissions = [
            ("export_responses", _("Can export all responses of a survey")),
            ("view_monitoring", _("Can see results previews and response monitoring")),
        ]

    def __str__(self):
        return str(self.survey)

    def get_absolute_url(self):
        return reverse("survey:results", kwargs={"slug": self.survey.slug})


class Theme(models.Model):
    """A theme that staff code the free-text answers of one question into."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="themes"
    )
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["question_id", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="theme_label_unique")
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("survey:results", kwargs={"slug": self.question.survey.slug})


class AnswerTheme(models.Model):
    """One theme given to one free-text answer (an answer may have several)."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="codings"
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="codings"
    )

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        ordering = ["answer_id", "theme_id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "theme"], name="answer_theme_unique")
        ]

    def __str__(self):
        return f"{self.answer_id} → {self.theme}"

    def get_absolute_url(self):
        return self.theme.get_absolute_url()


class Quote(models.Model):
    """An anonymised, edited quotation from a free-text answer; public once released."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="quotes"
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("source answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    text = models.TextField(
        _("quote"),
        help_text=_(
            "Shorten and anonymise: no names, addresses or details that point to a person."
        ),
    )
    is_released = models.BooleanField(_("released"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["question_id", "position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="quote_text_not_empty")]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("survey:results", kwargs={"slug": self.question.survey.slug})


# Proxies for the analysts' admin pages (coding free texts), separate from the builder's.
class TextQuestion(Question):
    class Meta:
        proxy = True
        verbose_name = _("free-text question (coding)")
        verbose_name_plural = _("free-text questions (coding)")


class FreeTextAnswer(Answer):
    class Meta:
        proxy = True
        verbose_name = _("free-text answer")
        verbose_name_plural = _("free-text answers")


class ResultTallyState(models.Model):
    """Bookkeeping of a survey's ``ResultTally`` rows: which breakdowns they cover, how
    many responses they count and how many folds added to them. Derived data only."""

    survey = models.OneToOneField(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    dimensions = models.CharField(_("breakdowns counted"), max_length=500, blank=True)
    responses = models.PositiveIntegerField(_("responses counted"), default=0)
    folds = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("results tally state")
        verbose_name_plural = _("results tally states")
        ordering = ["survey_id"]

    def __str__(self):
        return str(self.survey)

    def get_absolute_url(self):
        return reverse("survey:results", kwargs={"slug": self.survey.slug})


class ResultTally(models.Model):
    """Counted answers of a survey per breakdown group, kept up to date by
    ``survey.results.tallies`` so that the results page adds up a few thousand rows instead of
    millions of answers. Derived data only: deleting all rows of a survey (and its
    ``ResultTallyState``) makes the next computation count every response again.

    One row counts, for the responses in ``group`` of ``dimension`` ("" all responses,
    "kanal" the channel, "q<id>" the answer to a breakdown question): the answer rows with
    this question/option/item/number; with ``respondents`` the responses that answered
    the (multiple-choice) question; with no question the responses themselves.
    """

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    dimension = models.CharField(_("breakdown"), max_length=20, blank=True)
    group = models.CharField(_("group"), max_length=20)
    # Primary keys as plain numbers, not foreign keys: answers protect their questions,
    # options and items.
    question_pk = models.BigIntegerField(_("question"), null=True, blank=True)
    option_pk = models.BigIntegerField(_("option"), null=True, blank=True)
    item_pk = models.BigIntegerField(_("matrix item"), null=True, blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)
    respondents = models.BooleanField(_("counts respondents"), default=False)
    n = models.IntegerField(_("count"))

    class Meta:
        verbose_name = _("results tally")
        verbose_name_plural = _("results tallies")
        ordering = ["survey_id", "dimension", "group", "id"]
        indexes = [models.Index(fields=["survey", "dimension"])]
        constraints = [
            models.CheckConstraint(condition=Q(n__gte=0), name="result_tally_not_negative")
        ]

    def __str__(self):
        return f"{self.dimension or '-'}/{self.group}: {self.n}"

    def get_absolute_url(self):
        return reverse("survey:results", kwargs={"slug": self.survey.slug})
