from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MunicipalityKind(models.TextChoices):
    TOWN = "stadt", _("Town")
    DISTRICT_TOWN = "grosse_kreisstadt", _("Major district town")
    MUNICIPALITY = "gemeinde", _("Municipality")


class Municipality(models.Model):
    """One of the seven member municipalities (Kommune)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MunicipalityKind.choices)
    population = models.PositiveIntegerField(_("population"))
    population_as_of = models.CharField(
        _("population as of"), max_length=20, help_text=_("For example 2019 or 31.12.2019.")
    )
    districts = models.TextField(
        _("districts (Ortsteile)"), blank=True, help_text=_("One district per line.")
    )
    seat = models.CharField(_("seat of administration"), max_length=100)
    admin_address = models.CharField(_("address of the administration"), max_length=200)
    head_title = models.CharField(_("title of the mayor"), max_length=50)
    head_name = models.CharField(_("mayor"), max_length=100)
    website = models.URLField(_("website"), blank=True)
    portrait = models.TextField(_("short portrait"), blank=True)
    coat_of_arms = models.ImageField(_("coat of arms"), upload_to="municipalities/", blank=True)
    coat_of_arms_alt = models.CharField(
        _("alternative text of the coat of arms"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coat_of_arms="") | ~models.Q(coat_of_arms_alt=""),
                name="municipality_coat_of_arms_needs_alt",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:municipality_detail", kwargs={"slug": self.slug})

    @property
    def district_list(self) -> list[str]:
        return [line.strip() for line in self.districts.splitlines() if line.strip()]


class Topic(models.Model):
    """A cooperation topic (Themenfeld) that news, events, questions and ideas refer to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("portal:topic_detail", kwargs={"slug": self.slug})


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def in_navigation(self):
        return self.published().filter(show_in_footer=True)


class Page(models.Model):
    """A staff-edited content page served at /<slug>/ (Impressum, Datenschutz, …)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences for search engines and link previews."),
    )
    body = models.TextField(_("text"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    show_in_footer = models.BooleanField(_("show in footer"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:page_detail", kwargs={"slug": self.slug})
