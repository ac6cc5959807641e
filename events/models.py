import secrets
import uuid
from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.validators import validate_document, validate_event_slug
from media.fields import library_image
from portal.links import reverse_cached
from portal.models import Municipality, Topic

# Nobody registers a whole coach party through the public form; staff handle larger groups.
MAX_PERSONS_PER_REGISTRATION = 10


class EventKind(models.TextChoices):
    REGIONAL_FORUM = "regionalforum", _("Regional forum")
    MUNICIPAL_FORUM = "kommunalforum", _("Municipal forum")
    WORKSHOP = "workshop", _("Workshop")
    ONLINE = "online", _("Online participation")
    INFORMATION = "information", _("Information event")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class EventPublication(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EventQuerySet(models.QuerySet):
    def public(self, now: datetime | None = None):
        """Published and due: the only events the public ever sees (pages, calendars,
        sitemap, search, teasers). Drafts and scheduled events are for staff previews."""
        return self.filter(publication=EventPublication.PUBLISHED).filter(
            models.Q(publish_at__isnull=True) | models.Q(publish_at__lte=now or timezone.now())
        )

    def upcoming(self, now: datetime | None = None):
        """Events that have not ended yet, the next one first."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now: datetime | None = None):
        """Events that are over, the latest one first."""
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")


class Event(models.Model):
    """A participation event (Beteiligungsrunde, Veranstaltung): a forum, workshop, …"""

    uid = models.UUIDField(
        _("calendar UID"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Identifies the event in calendars; never changes."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        validators=[validate_event_slug],
        help_text=_("Part of the address: /termine/<slug>/. Please do not change it later."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    publication = models.CharField(
        _("publication"),
        max_length=20,
        choices=EventPublication.choices,
        default=EventPublication.DRAFT,
        help_text=_(
            "Drafts are seen only by staff (preview); published events appear on the website "
            "and in the calendars."
        ),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: at once when published. A time in the future schedules the event: it "
            "appears then."
        ),
    )
    status_note = models.CharField(
        _("note on the status"),
        max_length=300,
        blank=True,
        help_text=_("For example why the event was cancelled or when it will take place instead."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue_name = models.CharField(
        _("venue"), max_length=200, blank=True, help_text=_("Empty for online events.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Empty for online events and events of the whole region."),
    )
    venue_accessibility = models.TextField(
        _("accessibility of the venue"),
        blank=True,
        help_text=_("Step-free access, accessible toilet, hearing loop, parking, …"),
    )
    transit_stop = models.CharField(
        _("public transport stop"),
        max_length=200,
        blank=True,
        help_text=_(
            "Nearest bus or train stop with lines and walking time, e.g. "
            "“Oschatz, Markt (Bus 801, 802), 3 minutes on foot”."
        ),
    )
    # The marker on the event page's small map of the region (drawn on the server, no tiles).
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Optional, e.g. 51.30028: the venue's marker on the map of the region."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Optional, e.g. 13.10694; together with the latitude."),
    )
    online_url = models.URLField(
        _("address of the online participation"),
        blank=True,
        help_text=_("For online participation: where people take part."),
    )
    description = models.TextField(_("description"), blank=True)
    image = library_image(
        _("image"),
        related_name="events",
        help_text=_("An image from the media library, shown above the description."),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="events"
    )
    related_survey = models.ForeignKey(
        "survey.Survey",
        verbose_name=_("related survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("A survey whose results are presented or that the event is part of."),
    )
    results = models.TextField(
        _("documentation"),
        blank=True,
        help_text=_("After the event: what was discussed and decided."),
    )
    takes_registrations = models.BooleanField(_("takes registrations"), default=False)
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Number of persons who can take part; needed for registrations."),
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: registration is open until the event starts."),
    )
    sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("Raised on every change of date, place or status so calendars update."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="event_ends_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication__in=EventPublication.values),
                name="event_publication_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="event_position_complete",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=models.Q(takes_registrations=False) | models.Q(capacity__gt=0),
                name="event_registrations_need_capacity",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_cached("events:detail", slug=self.slug)

    def get_ics_url(self):
        return reverse_cached("events:ics", slug=self.slug)

    def get_registration_url(self):
        return reverse_cached("events:register", slug=self.slug)

    @property
    def is_public(self) -> bool:
        return self.publication == EventPublication.PUBLISHED and (
            self.publish_at is None or self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.publication == EventPublication.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_postponed(self) -> bool:
        return self.status == EventStatus.POSTPONED

    @property
    def is_online(self) -> bool:
        return self.kind == EventKind.ONLINE

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def registration_closes_at(self) -> datetime:
        return self.registration_deadline or self.starts_at

    @property
    def max_persons_per_registration(self) -> int:
        return min(self.capacity or 1, MAX_PERSONS_PER_REGISTRATION)


def document_upload_to(instance: "EventDocument", filename: str) -> str:
    return f"events/{instance.event.uid}/{filename}"


class EventDocument(models.Model):
    """A download that documents an event (minutes, slides, photos of the pin boards)."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to=document_upload_to,
        validators=[validate_document],
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, JPEG or PNG."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


class RegistrationStatus(models.TextChoices):
    # Double opt-in: sent through the form, the address not yet confirmed by its owner.
    # Takes no place and no waiting-list position; deleted when ``confirm_by`` has passed.
    UNCONFIRMED = "unconfirmed", _("E-mail not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = [RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITING.value]
# An address can have one of these per event at a time.
OPEN_STATUSES = [*ACTIVE_STATUSES, RegistrationStatus.UNCONFIRMED.value]


def new_cancel_token() -> str:
    return secrets.token_urlsafe(32)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def open(self):
        """Active or still awaiting the confirmation of the address."""
        return self.filter(status__in=OPEN_STATUSES)

    def unconfirmed_expired(self, now: datetime | None = None):
        # Confirming clears confirm_by, so a cancelled row that still has one was cancelled
        # before its address was confirmed (perhaps by a stranger): it goes too.
        return self.filter(
            status__in=[RegistrationStatus.UNCONFIRMED, RegistrationStatus.CANCELLED],
            confirm_by__lte=now or timezone.now(),
        )

    def confirmed(self):
        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        return self.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk")


class Registration(models.Model):
    """Someone's registration for an event. Personal data is deleted after the event
    (management command ``purge_registrations``); only the counts stay."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    persons = models.PositiveSmallIntegerField(
        _("number of persons"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERSONS_PER_REGISTRATION)],
    )
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, db_index=True
    )
    # NULL once the personal data is purged: the link dies, and NULLs never collide.
    cancel_token = models.CharField(  # noqa: DJ001 (NULL = no token; "" would not be unique)
        _("cancel token"), max_length=64, unique=True, null=True, default=new_cancel_token
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # Double opt-in: until when the owner of the address may follow the link in the mail;
    # an unconfirmed registration is deleted afterwards. NULL once confirmed.
    confirm_by = models.DateTimeField(
        _("e-mail confirmation due by"),
        null=True,
        blank=True,
        help_text=_("Empty once the e-mail address is confirmed."),
    )
    moved_up_at = models.DateTimeField(_("moved up from the waiting list at"), null=True)
    # Someone typed this address into the form again: its owner hears so at most once per
    # EVENTS_REGISTRATION_CONFIRM_MINUTES (the form itself answers as for a new address).
    already_registered_mailed_at = models.DateTimeField(
        _("“already registered” e-mail sent at"), null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True)
    anonymised_at = models.DateTimeField(_("personal data deleted at"), null=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            # One open registration per e-mail address and event, whatever the case.
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=models.Q(status__in=OPEN_STATUSES) & ~models.Q(email=""),
                name="registration_unique_active_email",
            ),
            models.CheckConstraint(
                condition=models.Q(persons__gte=1)
                & models.Q(persons__lte=MAX_PERSONS_PER_REGISTRATION),
                name="registration_persons_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in RegistrationStatus]),
                name="registration_status_valid",
            ),
        ]

    def __str__(self):
        if self.anonymised_at:
            return str(_("Deleted registration"))
        return f"{self.name} ({self.event})"

    def get_cancel_url(self):
        return reverse(
            "events:cancel", kwargs={"slug": self.event.slug, "token": self.cancel_token}
        )

    def get_confirm_url(self):
        return reverse(
            "events:confirm", kwargs={"slug": self.event.slug, "token": self.cancel_token}
        )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
