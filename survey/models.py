"""The Bürgerbefragung: questionnaires (survey → sections → questions → options) and the
responses to them.

Answers are stored one row per chosen option, matrix cell or value, so that the database can
count them (results are aggregation queries, not Python loops over responses). A response
carries the day it was submitted and nothing about the person: no IP address, no user agent,
no time of day, and no link to an access code.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Municipality, Topic


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class AccessMode(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    CODES = "codes", _("Access codes")


class SurveyQuerySet(models.QuerySet):
    def public(self):
        """Surveys visitors may see: everything but drafts."""
        return self.exclude(status=SurveyStatus.DRAFT)

    def open_now(self, now=None):
        now = now or timezone.now()
        return self.filter(status=SurveyStatus.OPEN, opens_at__lte=now, closes_at__gt=now)

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(status=SurveyStatus.OPEN, opens_at__gt=now)

    def closed(self, now=None):
        """Surveys that no longer take part: closed by staff or past their end."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[SurveyStatus.CLOSED, SurveyStatus.PUBLISHED])
            | Q(status=SurveyStatus.OPEN, closes_at__lte=now)
        )

    def results_published(self):
        return self.filter(status=SurveyStatus.PUBLISHED)


class Survey(models.Model):
    """One Bürgerbefragung with its time window."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown on the start page of the survey.")
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        blank=True,
        help_text=_("What is stored and what is not; shown before the questionnaire starts."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Responses cannot be linked to a person or to an access code."),
    )
    access_mode = models.CharField(
        _("who may take part"),
        max_length=10,
        choices=AccessMode.choices,
        default=AccessMode.OPEN,
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at"]
        permissions = [("enter_paper_response", _("Can enter paper questionnaires"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("survey:detail", kwargs={"slug": self.slug})

    def is_running(self, now=None) -> bool:
        """True while the survey takes responses."""
        now = now or timezone.now()
        return self.status == SurveyStatus.OPEN and self.opens_at <= now < self.closes_at

    def has_not_opened(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SurveyStatus.OPEN and now < self.opens_at

    @property
    def uses_codes(self) -> bool:
        return self.access_mode == AccessMode.CODES


class DisplayCondition(models.Model):
    """Fields shared by sections and questions that are shown only after a matching answer."""

    condition_question = models.ForeignKey(
        "Question",
        verbose_name=_("show only if this earlier question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Must be a choice question on an earlier page."),
    )
    condition_options = models.ManyToManyField(
        "Option",
        verbose_name=_("was answered with one of these options"),
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def has_condition(self) -> bool:
        return self.condition_question_id is not None


class Section(DisplayCondition):
    """One page of the questionnaire."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="sections"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["survey_id", "position", "id"]
        indexes = [models.Index(fields=["survey", "position"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.survey.get_absolute_url()


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    DROPDOWN = "dropdown", _("Dropdown")
    SCALE = "scale", _("Rating scale")
    MATRIX = "matrix", _("Matrix (several items on one scale)")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.DROPDOWN})
SCALE_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.MATRIX})
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class Question(DisplayCondition):
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="questions",
        editable=False,
        help_text=_("Always the survey of the page; kept here so codes are unique per survey."),
    )
    section = models.ForeignKey(
        Section, verbose_name=_("page"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("Short identifier such as Q1, used as the column name in exports."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum number of choices"),
        null=True,
        blank=True,
        help_text=_("Multiple choice only; empty means no limit."),
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)
    number_min = models.IntegerField(_("smallest number"), null=True, blank=True)
    number_max = models.IntegerField(_("largest number"), null=True, blank=True)
    is_breakdown = models.BooleanField(
        _("breakdown dimension"),
        default=False,
        help_text=_("Results can be broken down by the answers (municipality, age group …)."),
    )
    breakdown_label = models.CharField(
        _("name of the breakdown"), max_length=100, blank=True, help_text=_("e.g. Age group")
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min"))
                & Q(scale_max__lte=models.F("scale_min") + 20),
                name="question_scale_range",
            ),
            models.CheckConstraint(
                condition=Q(number_min__isnull=True)
                | Q(number_max__isnull=True)
                | Q(number_max__gte=models.F("number_min")),
                name="question_number_range",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__isnull=True) | Q(max_choices__gte=1),
                name="question_max_choices_positive",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"

    def save(self, *args, **kwargs):
        # The survey is a copy of the section's; it exists so the database can keep codes
        # unique per survey and count answers per survey without a join.
        self.survey_id = self.section.survey_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.survey.get_absolute_url()

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Option(models.Model):
    """One answer option of a choice question."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    value = models.IntegerField(
        _("code value"), help_text=_("Number used for this option in exports (1, 2, 3 …).")
    )
    is_other = models.BooleanField(
        _("other, please specify"),
        default=False,
        help_text=_("Whoever picks this option must write what they mean."),
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For the place-of-residence question: relates answers to population."),
    )

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_unique"),
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_other=True),
                name="option_one_other_per_question",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return self.question.get_absolute_url()


class MatrixItem(models.Model):
    """A row of a matrix question; the columns are the question's scale."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="items"
    )
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("matrix item")
        verbose_name_plural = _("matrix items")
        ordering = ["question_id", "position", "id"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return self.question.get_absolute_url()


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
    # Results (issue 4): counted into the survey's ``ResultTally`` rows? Empty until the
    # results are next computed, False only inside the run that counts it. Deliberately no
    # run number, which would tell roughly when the response arrived.
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
    """One chosen option, matrix cell, number or text of a response."""

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
        _("number"), null=True, blank=True, help_text=_("Scale value, matrix cell or number.")
    )
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
            # An answer says something: an option, a number or a text.
            models.CheckConstraint(
                condition=Q(option__isnull=False) | Q(number__isnull=False) | ~Q(text=""),
                name="answer_not_empty",
            ),
            # A matrix cell always has its value.
            models.CheckConstraint(
                condition=Q(item__isnull=True) | Q(number__isnull=False, option__isnull=True),
                name="answer_matrix_cell_has_value",
            ),
            models.CheckConstraint(
                condition=Q(option__isnull=True) | Q(number__isnull=True),
                name="answer_option_or_number",
            ),
        ]

    def __str__(self):
        return f"{self.question.code}"

    def get_absolute_url(self):
        return self.response.get_absolute_url()


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

    def get_absolute_url(self):
        return self.survey.get_absolute_url()


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


# === results (issue 4): publication, free-text coding, quotes, retention ======================


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
