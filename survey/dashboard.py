"""The survey app's panel on the staff start page (see portal.dashboard)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.dashboard import PANEL_ITEMS, Panel, PanelItem, admin_url, when
from survey.models import PooledResponse, Survey
from survey.permissions import limited_to_assigned, surveys_for_staff


def surveys_open(user) -> Panel:
    """Open surveys with the responses stored today and those waiting in the mixing pool
    (which carry no day, see PooledResponse). Two queries."""
    today = timezone.localdate()
    # An analyst limited to assigned surveys sees only those (survey.permissions).
    surveys = surveys_for_staff(user, Survey.objects.open_now())
    rows = list(
        surveys.annotate(today=Count("responses", filter=Q(responses__submitted_on=today)))
        .only("pk", "title", "slug", "closes_at")
        .order_by("closes_at", "pk")[:PANEL_ITEMS]
    )
    pooled = dict(
        PooledResponse.objects.filter(survey__in=[survey.pk for survey in rows])
        .values("survey")
        .annotate(count=Count("pk"))
        .values_list("survey", "count")
    )
    items = []
    for survey in rows:
        parts = [
            ngettext("%(count)d response today", "%(count)d responses today", survey.today)
            % {"count": survey.today}
        ]
        if pooled.get(survey.pk):
            parts.append(
                ngettext(
                    "%(count)d waiting in the pool",
                    "%(count)d waiting in the pool",
                    pooled[survey.pk],
                )
                % {"count": pooled[survey.pk]}
            )
        parts.append(_("open until %(date)s") % {"date": when(survey.closes_at)})
        items.append(PanelItem(survey.title, admin_url(survey), ", ".join(parts)))
    return Panel(
        title=_("Open surveys"),
        count=len(rows) if len(rows) < PANEL_ITEMS else surveys.count(),
        items=items,
        more_url=reverse("admin:survey_survey_changelist"),
        more_label=_("All surveys"),
        empty=_("No survey is open."),
    )


def register_survey_panels() -> None:
    from portal.dashboard import register_own_changes_only, register_panel

    register_own_changes_only(limited_to_assigned)
    register_panel("surveys-open", surveys_open, permission="survey.view_survey", order=40)
