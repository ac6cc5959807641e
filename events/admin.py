from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import services
from events.exports import registrations_csv_response
from events.models import (
    Event,
    EventDocument,
    EventPublication,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from media.admin import LibraryChoiceMixin
from portal.admin_rich_text import RichTextAdminMixin
from portal.admin_scoping import MunicipalityScopedMixin
from portal.preview import PreviewAdminMixin


class EventDocumentInline(admin.TabularInline):
    model = EventDocument
    extra = 1
    fields = ["title", "file", "position"]


class RegistrationInline(admin.TabularInline):
    """Read-only: registrations come in through the public form (and its service)."""

    model = Registration
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["name", "email", "persons", "status", "accessibility_needs", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(anonymised_at__isnull=True)


class PublicationFilter(admin.SimpleListFilter):
    """Draft, scheduled (published with a future time) or public: three states staff
    tell apart, though the model stores two and a time."""

    title = _("publication")
    parameter_name = "veroeffentlichung"

    def lookups(self, request, model_admin):
        return [
            ("entwurf", _("Draft")),
            ("geplant", _("Scheduled")),
            ("oeffentlich", _("Public")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        scheduled = Q(publication=EventPublication.PUBLISHED, publish_at__gt=now)
        if self.value() == "entwurf":
            return queryset.filter(publication=EventPublication.DRAFT)
        if self.value() == "geplant":
            return queryset.filter(scheduled)
        if self.value() == "oeffentlich":
            return queryset.filter(pk__in=Event.objects.public(now).values("pk"))
        return queryset


@admin.register(Event)
class EventAdmin(
    PreviewAdminMixin,
    LibraryChoiceMixin,
    RichTextAdminMixin,
    MunicipalityScopedMixin,
    admin.ModelAdmin,
):
    # Limited editors: only their municipality's events (not those without one, e.g. online
    # events of the whole region), and so only their registrations and exports.
    municipality_lookup = "municipality"
    rich_text_fields = ("description", "results")
    autocomplete_fields = ["image"]
    list_display = [
        "title",
        "kind",
        "starts_at",
        "municipality",
        "status",
        "publication_display",
        "registrations_summary",
    ]
    list_filter = [
        PublicationFilter,
        "status",
        "kind",
        "municipality",
        "takes_registrations",
    ]
    search_fields = ["title", "venue_name", "address", "description"]
    date_hierarchy = "starts_at"
    # Explicit: the annotated (grouped) queryset drops the model's default ordering, and the
    # autocomplete pages it (unordered pages skip or repeat events).
    ordering = ["-starts_at", "-pk"]
    # Django 6 will assume https for URLs typed without a scheme; opt in now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    inlines = [EventDocumentInline, RegistrationInline]
    actions = ["export_registrations", "mark_cancelled", "mark_postponed", "mark_planned"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "status_note"]}),
        (_("Publication"), {"fields": ["publication", "publish_at"]}),
        (_("Date"), {"fields": ["starts_at", "ends_at"]}),
        (
            _("Venue"),
            {
                "fields": [
                    "venue_name",
                    "address",
                    "municipality",
                    "venue_accessibility",
                    "transit_stop",
                    ("latitude", "longitude"),
                    "online_url",
                ]
            },
        ),
        (_("Content"), {"fields": ["description", "image", "topics", "related_survey"]}),
        (
            _("Registration"),
            {"fields": ["takes_registrations", "capacity", "registration_deadline"]},
        ),
        (_("Documentation after the event"), {"fields": ["results"]}),
        (_("Calendar"), {"fields": ["uid", "sequence", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("municipality")
            .annotate(
                confirmed_persons=Sum(
                    "registrations__persons",
                    filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
                ),
                waiting_count=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
                ),
            )
        )

    @admin.display(description=_("publication"), ordering="publication")
    def publication_display(self, obj):
        if obj.is_scheduled:
            return _("Scheduled for %(date)s") % {
                "date": date_format(timezone.localtime(obj.publish_at), "SHORT_DATETIME_FORMAT")
            }
        return obj.get_publication_display()

    @admin.display(description=_("registrations"))
    def registrations_summary(self, obj):
        if not obj.takes_registrations:
            return "–"
        text = f"{obj.confirmed_persons or 0}/{obj.capacity}"
        if obj.waiting_count:
            text += " " + str(_("(+%(count)d waiting)") % {"count": obj.waiting_count})
        return text

    def save_model(self, request, obj, form, change):
        # The service raises the calendar SEQUENCE and moves people up if places were added.
        services.event_save(event=obj, changed_fields=form.changed_data if change else None)

    @admin.action(description=_("Export registrations as CSV"), permissions=["view"])
    def export_registrations(self, request, queryset):
        registrations = Registration.objects.filter(event__in=queryset)
        return registrations_csv_response(registrations=registrations, filename="anmeldungen.csv")

    def _set_status(self, request, queryset, status):
        for event in queryset:
            services.event_set_status(event=event, status=status)
        self.message_user(
            request,
            ngettext("%(count)d event updated.", "%(count)d events updated.", queryset.count())
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as cancelled"), permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._set_status(request, queryset, EventStatus.CANCELLED)

    @admin.action(description=_("Mark as postponed"), permissions=["change"])
    def mark_postponed(self, request, queryset):
        self._set_status(request, queryset, EventStatus.POSTPONED)

    @admin.action(description=_("Mark as planned"), permissions=["change"])
    def mark_planned(self, request, queryset):
        self._set_status(request, queryset, EventStatus.PLANNED)


class PersonalDataFilter(admin.SimpleListFilter):
    title = _("personal data")
    parameter_name = "daten"

    def lookups(self, request, model_admin):
        return [("vorhanden", _("present")), ("geloescht", _("deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "vorhanden":
            return queryset.filter(anonymised_at__isnull=True)
        if self.value() == "geloescht":
            return queryset.filter(anonymised_at__isnull=False)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(MunicipalityScopedMixin, admin.ModelAdmin):
    # Names, e-mails and accessibility needs (possibly health data): limited editors see and
    # export only the registrations of their municipality's events.
    municipality_lookup = "event__municipality"
    list_display = ["name", "email", "event", "persons", "status", "confirm_by", "created_at"]
    list_filter = ["status", ("event", admin.RelatedOnlyFieldListFilter), PersonalDataFilter]
    search_fields = ["name", "email", "event__title"]
    date_hierarchy = "created_at"
    list_select_related = ["event"]
    fields = [
        "event",
        "name",
        "email",
        "persons",
        "accessibility_needs",
        "status",
        "confirm_by",
        "created_at",
        "moved_up_at",
        "cancelled_at",
        "anonymised_at",
    ]
    readonly_fields = [
        "event",
        "status",
        "confirm_by",
        "created_at",
        "moved_up_at",
        "cancelled_at",
        "anonymised_at",
    ]
    actions = ["export_csv", "cancel_registrations"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Export as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return registrations_csv_response(registrations=queryset, filename="anmeldungen.csv")

    @admin.action(
        description=_("Cancel (the waiting list moves up, e-mails are sent)"),
        permissions=["change"],
    )
    def cancel_registrations(self, request, queryset):
        cancelled = 0
        for registration in queryset.select_related("event"):
            try:
                services.registration_cancel(registration=registration)
            except services.RegistrationError as error:
                self.message_user(request, f"{registration}: {error.message}", messages.WARNING)
            else:
                cancelled += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d registration cancelled.", "%(count)d registrations cancelled.", cancelled
            )
            % {"count": cancelled},
            messages.SUCCESS,
        )
