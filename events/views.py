from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events import selectors, services
from events.calendar import build_calendar
from events.forms import EventFilterForm, RegistrationForm
from events.models import Event, Registration, RegistrationStatus
from portal.caching import cache_public_page, not_shareable
from portal.forms import keeps_filtered_list, share_choices
from portal.lazy import LazyPages, lazy_list
from portal.maps import region_map
from portal.memo import read_content_version, remember_part
from portal.models import Municipality, Topic
from portal.preview import can_preview, mark_preview, wants_preview
from portal.selectors import editor_municipality
from portal.spam import rate_limit_reached, rate_limited

ARCHIVE_PAGE_SIZE = 10


@cache_public_page(params=("kommune", "art", "seite"))
def event_list(request):
    """Upcoming events first, then the archive of past ones (paginated), filterable."""
    form = EventFilterForm(request.GET or None)
    share_choices(request, form, "kommune")
    filters = {"municipality": None, "kind": ""}
    if form.is_bound and form.is_valid():
        filters = {"municipality": form.cleaned_data["kommune"], "kind": form.cleaned_data["art"]}
    elif form.is_bound:
        not_shareable(request)
    # Both lists are read only when the page's main part is rendered (not when it is kept
    # in memory: the template's {% part %}); the archive's size is kept under the content
    # version too, so the page number is made valid before it becomes part of a key.
    upcoming = lazy_list(lambda: selectors.event_list_upcoming(**filters))
    past = LazyPages(lambda: selectors.event_list_past(**filters))
    archive = Paginator(past, ARCHIVE_PAGE_SIZE)
    municipality = filters["municipality"]
    archive.count = remember_part(
        request,
        ("events-archive-count", municipality.pk if municipality else None, filters["kind"]),
        past.count,
    )
    page = archive.get_page(request.GET.get("seite"))
    if "seite" in request.GET and request.GET["seite"] != str(page.number):
        not_shareable(request)
    query = request.GET.copy()
    query.pop("seite", None)
    filter_query = query.urlencode()
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "upcoming": upcoming,
            "archive_page": page,
            "filter_query": filter_query,
            "is_filtered": bool(municipality or filters["kind"]),
            "feed_municipality": municipality,
            "filter_kind": filters["kind"],
            # Kept only for the filters the form offers: a typed value never becomes a key.
            "keep_list": keeps_filtered_list(form, filter_query),
        },
    )


def event_detail(request, slug):
    """The public event; staff with view permission preview drafts and scheduled events
    with ?vorschau (never cached, see portal.preview)."""
    if wants_preview(request):
        return mark_preview(_event_detail_preview(request, slug))
    return _event_detail_public(request, slug)


event_detail.public_page_cache = True  # the middleware may serve it (never with ?vorschau)
event_detail.public_page_params = ()


@cache_public_page
def _event_detail_public(request, slug):
    try:
        event = selectors.event_detail(slug=slug)
    except Event.DoesNotExist as error:
        raise Http404 from error
    return _render_event(request, event, is_preview=False)


def _event_detail_preview(request, slug):
    event = None
    if can_preview(request.user, Event):
        scope = editor_municipality(request.user)
        try:
            event = selectors.event_detail(slug=slug, preview_for=scope)
        except Event.DoesNotExist:
            event = None
    if event is None:  # what everyone may see, also with ?vorschau
        try:
            event = selectors.event_detail(slug=slug)
        except Event.DoesNotExist as error:
            raise Http404 from error
    return _render_event(request, event, is_preview=not event.is_public)


def _render_event(request, event, *, is_preview):
    state = None
    if event.takes_registrations and not is_preview:
        state = selectors.event_registration_state(event=event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "registration_state": state,
            "is_preview": is_preview,
            **_locator_map(event),
        },
    )


def _locator_map(event: Event) -> dict:
    """The small map of the region for the event's place: its municipality highlighted, a
    marker where staff entered the venue's position. Nothing for an online-only event."""
    if event.municipality is None and event.latitude is None:
        return {}
    position = (event.latitude, event.longitude) if event.latitude is not None else None
    region = region_map(
        highlight=event.municipality.name if event.municipality else None, position=position
    )
    place = event.venue_name or (event.municipality.name if event.municipality else "")
    if region.marker and event.municipality:
        label = _("Map of the Oschatzer Land: %(municipality)s highlighted, %(place)s marked") % {
            "municipality": event.municipality.name,
            "place": place,
        }
    elif region.marker:
        label = _("Map of the Oschatzer Land with %(place)s marked") % {"place": place}
    elif event.municipality:
        label = _("Map of the Oschatzer Land with %(municipality)s highlighted") % {
            "municipality": event.municipality.name
        }
    else:
        return {}  # a position outside the region and no municipality: nothing to show
    return {"locator_map": region, "locator_label": label}


def _calendar_response(content: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _base_url(request) -> str:
    return settings.SITE_URL  # never the request's host: one address for every link


@cache_public_page
def event_ics(request, slug):
    try:
        event = selectors.event_public_get(slug=slug)
    except Event.DoesNotExist as error:
        raise Http404 from error
    content = build_calendar([event], base_url=_base_url(request), name=event.title)
    return _calendar_response(content, f"{event.slug}.ics", download=True)


@cache_public_page(params=("kommune", "thema"))
def calendar_feed(request):
    """The subscribable calendar of all events, of one municipality (?kommune=<slug>) or of
    one topic (?thema=<slug>)."""
    municipality = _calendar_filter(request, "kommune", Municipality)
    topic = _calendar_filter(request, "thema", Topic)
    name = _("Events – Oschatzer Land")
    if municipality is not None:
        name = _("Events in %(municipality)s – Oschatzer Land") % {
            "municipality": municipality.name
        }
    elif topic is not None:
        name = _("Events on %(topic)s – Oschatzer Land") % {"topic": topic.name}
    events = selectors.event_calendar_feed(municipality=municipality, topic=topic)
    content = build_calendar(events, base_url=_base_url(request), name=name)
    return _calendar_response(content, "kalender.ics", download=False)


def _calendar_filter(request, param: str, model):
    slug = request.GET.get(param)
    if not slug:
        return None
    if not slug_re.fullmatch(slug):
        raise Http404  # never sent to the database: no slug looks like that
    return get_object_or_404(model, slug=slug)


@require_http_methods(["GET", "POST"])
def registration_create(request, slug):
    try:
        event = selectors.event_public_get(slug=slug, takes_registrations=True)
    except Event.DoesNotExist as error:
        raise Http404 from error
    if request.method == "GET":
        # The blank form's fields are kept per worker under it (portal.form_html).
        read_content_version(request)
    state = selectors.event_registration_state(event=event)
    too_many = _(
        "You have sent several registrations in a short time. Please wait an hour and try again."
    )
    form = RegistrationForm(
        request.POST or None,
        event=event,
        # Over the limit: refused before the form's token is written to the database.
        refusal=too_many
        if request.method == "POST" and rate_limit_reached(request, "registration")
        else None,
    )
    if state.is_open and request.method == "POST" and form.is_valid():
        if form.is_spam:
            # Pretend success: a bot learns nothing; nothing is stored or sent.
            messages.success(request, _confirm_request_message())
            return redirect(event)
        if rate_limited(request, "registration"):
            form.add_error(None, too_many)
        else:
            try:
                services.registration_create(
                    event=event,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    persons=form.cleaned_data["persons"],
                    accessibility_needs=form.cleaned_data["accessibility_needs"],
                )
            except services.RegistrationError as error:
                if error.field:
                    form.add_error(error.field, error.message)
                else:
                    form.add_error(None, error.message)
                    state = selectors.event_registration_state(event=event)
            else:
                # The same answer whatever the service found (new, registered or pending
                # address): whether someone is registered for an event is personal data,
                # and only the mailbox learns the difference.
                messages.success(request, _confirm_request_message())
                return redirect(event)
    return render(
        request,
        "events/registration_form.html",
        {"event": event, "form": form, "registration_state": state},
        status=200,
    )


def _confirm_request_message() -> str:
    # Worded for every case the form does not reveal: a new address (confirmation link), a
    # registered one (an "already registered" mail) and one with an open request (its
    # earlier mail still holds).
    return _(
        "We have sent you an e-mail – please confirm your registration with the link in it "
        "(within %(minutes)d minutes). Only then does it count: places are given in the "
        "order of confirmation. If you are already registered, the e-mail says so; if you "
        "have recently received a confirmation request, please use the link in that one."
    ) % {"minutes": settings.EVENTS_REGISTRATION_CONFIRM_MINUTES}


@require_http_methods(["GET", "POST"])
def registration_confirm(request, slug, token):
    """The link in the double opt-in mail. GET only asks (mail scanners follow links, and
    must not confirm for a stranger); POST confirms."""

    def invalid():
        return render(request, "events/registration_confirm.html", {"invalid": True}, status=404)

    try:
        registration = selectors.registration_by_token(slug=slug, token=token)
    except Registration.DoesNotExist:
        return invalid()
    expired = registration.confirm_by is not None and registration.confirm_by <= timezone.now()
    if registration.status == RegistrationStatus.CANCELLED or (expired and request.method == "GET"):
        return invalid()
    error = None
    if registration.status != RegistrationStatus.UNCONFIRMED:
        error = _("This registration has already been confirmed.")
    elif request.method == "POST":
        try:
            status = services.registration_confirm(registration=registration)
        except services.RegistrationError as exc:
            if exc.code == "expired":
                return invalid()  # the service has just deleted it
            error = exc.message
        else:
            if status == RegistrationStatus.CONFIRMED:
                messages.success(
                    request,
                    _(
                        "Thank you, you are registered. We have sent you a confirmation "
                        "e-mail with a link to cancel."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Thank you, you are on the waiting list. We will write to you as soon "
                        "as a place becomes free."
                    ),
                )
            return redirect(registration.event)
    return render(
        request,
        "events/registration_confirm.html",
        {"registration": registration, "event": registration.event, "error": error},
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, slug, token):
    """The personal cancel link. GET only asks (mail scanners follow links); POST cancels."""
    try:
        registration = selectors.registration_by_token(slug=slug, token=token)
    except Registration.DoesNotExist:
        return render(request, "events/registration_cancel.html", {"invalid": True}, status=404)
    error = None
    if registration.status == RegistrationStatus.CANCELLED:
        error = _("This registration has already been cancelled.")
    elif request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except services.RegistrationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your registration has been cancelled."))
            return redirect(registration.event)
    return render(
        request,
        "events/registration_cancel.html",
        {"registration": registration, "event": registration.event, "error": error},
    )
