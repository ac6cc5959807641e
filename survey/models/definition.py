"""The questionnaire: a survey with its sections (pages), questions, options and matrix
items, and the display conditions that show a page or question only after a matching answer."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.links import reverse_cached
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
    # Weighting of the results (``survey.results.weights``): weights are trimmed to this
    # range, so that no respondent counts for more than a few.
    weight_min = models.DecimalField(
        _("smallest weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text=_("Weighting: no response counts less than this (default 0.3)."),
    )
    weight_max = models.DecimalField(
        _("largest weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("20"))],
        help_text=_("Weighting: no response counts more than this (default 3)."),
    )

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
        return reverse_cached("survey:detail", slug=self.slug)

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


class ConditionMode(models.TextChoices):
    ALL = "all", _("all conditions hold (AND)")
    ANY = "any", _("at least one condition holds (OR)")


class DisplayCondition(models.Model):
    """Fields shared by sections and questions that are shown only after a matching answer.

    The simple condition (``condition_question`` answered with one of ``condition_options``)
    and the ``Condition`` rows of the element are combined by ``condition_mode``."""

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
    condition_mode = models.CharField(
        _("combine the conditions"),
        max_length=3,
        choices=ConditionMode.choices,
        default=ConditionMode.ALL,
        blank=True,  # empty (a form that does not show the field) means AND
    )

    class Meta:
        abstract = True


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
    RANKING = "ranking", _("Ranking (put 3 to 7 options in order)")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes/no")
    INFO = "info", _("Information text (no answer)")


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


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", _("equals")
    ONE_OF = "one_of", _("is one of")
    GREATER = "greater", _("is greater than")
    LESS = "less", _("is less than")


class Condition(models.Model):
    """One condition of a page or question: the answer to ``source`` (an earlier question, or
    one before it on the same page) compared with options or a number. Several conditions
    of one page or question are combined by its ``condition_mode``."""

    section = models.ForeignKey(
        Section,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conditions",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conditions",
    )
    source = models.ForeignKey(
        Question,
        verbose_name=_("answer to question"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("A question on an earlier page, or before this one on the same page."),
    )
    operator = models.CharField(
        _("operator"),
        max_length=10,
        choices=ConditionOperator.choices,
        default=ConditionOperator.ONE_OF,
    )
    options = models.ManyToManyField(
        Option,
        verbose_name=_("options"),
        blank=True,
        related_name="+",
        help_text=_("For choice questions: equals one option, or is one of several."),
    )
    value = models.IntegerField(
        _("value"),
        null=True,
        blank=True,
        help_text=_("For number and scale questions; for yes/no questions 1 = yes, 0 = no."),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=True, question__isnull=False)
                | Q(section__isnull=False, question__isnull=True),
                name="condition_one_owner",
            )
        ]

    def __str__(self):
        return f"{self.source.code} {self.get_operator_display()}"

    def get_absolute_url(self):
        return self.source.get_absolute_url()
