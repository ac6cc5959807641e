from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from media.fields import library_image
from portal.links import reverse_cached


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
    population_as_of = models.DateField(
        _("population as of"),
        help_text=_("The reference date of the population figure (“Stand”), e.g. 31.12.2023."),
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
    photo = library_image(
        _("photo"),
        related_name="municipality_photos",
        help_text=_("An image from the media library, shown at the top of the page."),
    )
    coat_of_arms = library_image(
        _("coat of arms"),
        related_name="municipality_arms",
        help_text=_("An image from the media library."),
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_cached("portal:municipality_detail", slug=self.slug)

    @property
    def district_list(self) -> list[str]:
        return [line.strip() for line in self.districts.splitlines() if line.strip()]


class Topic(models.Model):
    """A cooperation topic (Themenfeld) that news, events, questions and ideas refer to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    image = library_image(
        _("image"),
        related_name="topics",
        help_text=_("An image from the media library."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_cached("portal:topic_detail", slug=self.slug)


# Required by law (Impressum, privacy policy, accessibility statement): always linked in the
# footer, kept online and undeletable by the Redaktion (only superusers may).
LEGAL_PAGES = ("impressum", "datenschutz", "barrierefreiheit")


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


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
        return reverse_cached("portal:page_detail", slug=self.slug)


class Menu(models.TextChoices):
    MAIN = "main", _("Main navigation")
    FOOTER = "footer", _("Footer")


# The site's own sections a menu entry can link to (URL names); more can be added here.
MENU_VIEWS = {
    "portal:home": _("Home"),
    "portal:news_list": _("News"),
    "portal:municipality_list": _("Municipalities"),
    "portal:topic_list": _("Topics"),
    "survey:list": _("Surveys"),
    "events:list": _("Events"),
    "portal:idea_list": _("Take part"),
    "portal:contact": _("Contact"),
    "portal:search": _("Search"),
}


class MenuItem(models.Model):
    """An entry of the main navigation or the footer, edited by staff.

    It links to a page, one of the site's sections or an address. The legal pages
    (Impressum, Datenschutz, Barrierefreiheit) and "Kontakt" are always in the footer
    (templates/includes/footer.html) and need no entry.
    """

    menu = models.CharField(_("menu"), max_length=10, choices=Menu.choices)
    label = models.CharField(
        _("label"), max_length=60, blank=True, help_text=_("Empty: the title of the page.")
    )
    page = models.ForeignKey(
        Page,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="menu_items",
        help_text=_("Shown only while the page is published."),
    )
    view_name = models.CharField(
        _("section of the site"),
        max_length=50,
        blank=True,
        choices=list(MENU_VIEWS.items()),
    )
    url = models.CharField(
        _("address"),
        max_length=300,
        blank=True,
        help_text=_("An address on this site (/…) or a complete address (https://…)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("menu entry")
        verbose_name_plural = _("menu entries")
        ordering = ["menu", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(menu__in=Menu.values), name="menuitem_menu_valid"
            ),
            # Exactly one target.
            models.CheckConstraint(
                condition=(
                    models.Q(page__isnull=False, view_name="", url="")
                    | models.Q(page__isnull=True, view_name__gt="", url="")
                    | models.Q(page__isnull=True, view_name="", url__gt="")
                ),
                name="menuitem_one_target",
            ),
        ]

    def __str__(self):
        return self.label or (self.page.title if self.page_id else "") or self.view_name

    def clean(self):
        from django.core.exceptions import ValidationError

        targets = [bool(self.page_id), bool(self.view_name), bool(self.url)]
        if sum(targets) != 1:
            raise ValidationError(
                _("Choose exactly one target: a page, a section of the site or an address.")
            )
        if self.url and not self.url.startswith(("/", "https://", "http://")):
            raise ValidationError(
                {"url": _("Enter an address on this site (/…) or a complete one (https://…).")}
            )
        if self.url.startswith("//"):
            raise ValidationError(
                {"url": _("Enter an address on this site (/…) or a complete one (https://…).")}
            )
        if not self.label and not self.page_id:
            if self.view_name:
                return
            raise ValidationError({"label": _("An address needs a label.")})


class NewsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class NewsArticleQuerySet(models.QuerySet):
    def published(self):
        """Published and due: the only articles the public ever sees."""
        return self.filter(status=NewsStatus.PUBLISHED, published_at__lte=timezone.now())

    def for_municipality(self, municipality):
        return self.filter(municipalities=municipality)


class NewsArticle(models.Model):
    """A news article (Beitrag). A publish date in the future schedules it."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_(
            "The last part of the address after /aktuelles/: "
            "lower-case letters, digits and hyphens."
        ),
    )
    teaser = models.TextField(
        _("teaser"),
        max_length=400,
        help_text=_("Two or three sentences shown in lists, feeds and link previews."),
    )
    body = models.TextField(_("text"), blank=True)
    image = library_image(
        _("image"),
        related_name="news_articles",
        help_text=_(
            "An image from the media library (upload it there once, with its alternative "
            "text); shown on the news cards and above the article."
        ),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="news_articles", blank=True
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities concerned"),
        related_name="news_articles",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=NewsStatus.choices, default=NewsStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish date"),
        default=timezone.now,
        db_index=True,
        help_text=_("A date in the future schedules the article: it appears at that time."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="news_articles",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NewsArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=NewsStatus.values),
                name="newsarticle_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_cached("portal:news_detail", slug=self.slug)

    @property
    def is_public(self) -> bool:
        return self.status == NewsStatus.PUBLISHED and self.published_at <= timezone.now()


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class IdeaQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=IdeaStatus.APPROVED)


class Idea(models.Model):
    """An idea sent by a resident ("Mitmachen"); public only after staff approve it."""

    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("your idea"), max_length=4000)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )
    reply = models.TextField(_("reply of the cooperation"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=IdeaStatus.values), name="idea_status_valid"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:idea_list") + f"#idee-{self.pk}"


class EditorProfile(models.Model):
    """Per-user editor setting: limits a staff member to the content of one municipality."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="editor_profile",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("limited to municipality"),
        # Deleting the municipality must not silently lift the limit (by deleting the profile).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_(
            "If set, this person sees and edits only news, ideas, events and registrations of "
            "this municipality, and only reads pages, topics and redirects."
        ),
    )

    class Meta:
        verbose_name = _("editor setting")
        verbose_name_plural = _("editor settings")

    def __str__(self):
        return str(self.user)


class SpentFormToken(models.Model):
    """A "started" token of a public form that has already carried one submission.

    Kept in the database, not the cache: without Redis every worker has its own cache, and
    the database is the one store they share. Only a hash is stored; the row is worthless
    once the token itself has expired (``expires_at``) and is deleted then.
    """

    digest = models.CharField(_("token hash"), max_length=64, primary_key=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("spent form token")
        verbose_name_plural = _("spent form tokens")

    def __str__(self):
        return self.digest[:12]


class CacheVersion(models.Model):
    """A counter that invalidates cached copies on every app server at once.

    Kept in the database rather than in the cache, because without a shared cache (Redis)
    each gunicorn worker has a cache of its own: a version there would reach one worker
    only. See portal/cache_versions.py.
    """

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    counter = models.BigIntegerField(_("counter"), default=0)

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")

    def __str__(self):
        return f"{self.name}: {self.counter}"


class RateCount(models.Model):
    """Submissions of one client in the current window of a rate limit (portal/spam.py).

    In the database so that every worker and app server counts together, with or without a
    shared cache. The client appears only as a keyed hash of the address; a row is deleted
    once its window has passed.
    """

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("rate limit count")
        verbose_name_plural = _("rate limit counts")

    def __str__(self):
        return f"{self.count} until {self.expires_at:%Y-%m-%d %H:%M}"
