"""Who may open the staff pages of the survey app (paper entry, access codes, results
previews, monitoring, exports) and which surveys they may see there and in the admin.

Per-survey permissions: a staff member with the permission ``survey.only_assigned_surveys``
("Nur zugewiesene Befragungen", directly or through a group) sees only the surveys assigned
to them (``SurveyAssignment``) – every other permission they hold then applies to those
surveys alone. Without that permission (and always for superusers) the permissions hold for
every survey, as before. Every staff page and admin of survey data goes through
``staff_has_perm(..., survey=...)``, ``SurveyStaffMixin`` or ``SurveyScopedAdminMixin``."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from survey.models import ONLY_ASSIGNED_PERMISSION, Survey, SurveyAssignment


def limited_to_assigned(user) -> bool:
    """True for a staff member who may see only the surveys assigned to them."""
    return (
        user.is_authenticated and not user.is_superuser and user.has_perm(ONLY_ASSIGNED_PERMISSION)
    )


def assigned_survey_ids(user):
    """A subquery of the ids of the surveys assigned to ``user``."""
    return SurveyAssignment.objects.filter(user_id=user.pk).values("survey_id")


def surveys_for_staff(user, queryset: QuerySet | None = None, *, lookup: str = "") -> QuerySet:
    """``queryset`` (default: every survey) cut down to what ``user`` may see. ``lookup``
    is the path from the queryset's model to its survey (``"survey"``,
    ``"question__survey"``; empty for surveys themselves)."""
    if queryset is None:
        queryset = Survey.objects.all()
    if not limited_to_assigned(user):
        return queryset
    field = f"{lookup}__in" if lookup else "pk__in"
    return queryset.filter(**{field: assigned_survey_ids(user)})


def staff_may_see_survey(user, survey: Survey | int | None) -> bool:
    """``survey`` (or its id) is one ``user`` may work on; ``None`` (no survey yet) is."""
    if survey is None or not limited_to_assigned(user):
        return True
    survey_id = survey if isinstance(survey, int) else survey.pk
    return SurveyAssignment.objects.filter(user_id=user.pk, survey_id=survey_id).exists()


def staff_has_perm(user, permission: str, *, survey: Survey | int | None = None) -> bool:
    """The staff flag as well as the permission, like the admin: taking the flag away ends
    access at once, even for someone who keeps the group and an open session. With
    ``survey``: and the survey is one of theirs (see the module's docstring)."""
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm(permission)
        and staff_may_see_survey(user, survey)
    )


class StaffPermissionMixin:
    """A staff page: anonymous visitors go to the admin login, everyone else without
    ``permission_required`` (or the staff flag) gets 403.

    ``dispatch_permitted`` runs only after the check; override it (calling ``super()``) to
    resolve objects there, so that nobody without the permission learns from a 404 what
    exists."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_required:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a permission_required.")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not staff_has_perm(request.user, self.permission_required):
            raise PermissionDenied
        return self.dispatch_permitted(request, *args, **kwargs)

    def dispatch_permitted(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class SurveyStaffMixin(StaffPermissionMixin):
    """A staff page of one survey (``slug`` in the URL): ``self.survey`` is set once the
    permission is checked; an unknown slug, or a survey not assigned to a limited analyst,
    is a 404. Override ``dispatch_survey`` (calling ``super()``) to refuse a survey or load
    more for it."""

    def dispatch_permitted(self, request, *args, **kwargs):
        self.survey = get_object_or_404(surveys_for_staff(request.user), slug=kwargs["slug"])
        return self.dispatch_survey(request, *args, **kwargs)

    def dispatch_survey(self, request, *args, **kwargs):
        return super().dispatch_permitted(request, *args, **kwargs)


def survey_for_staff_or_404(user, **lookup) -> Survey:
    """One survey by ``lookup`` among those ``user`` may see, else 404."""
    try:
        return surveys_for_staff(user).get(**lookup)
    except (Survey.DoesNotExist, ValueError) as error:
        raise Http404 from error


class AssignedSurveyListFilter(admin.RelatedFieldListFilter):
    """The "survey" filter of a changelist, offering only the surveys the user may see."""

    def field_choices(self, field, request, model_admin):
        surveys = surveys_for_staff(request.user).order_by("title").only("pk", "title")
        return [(survey.pk, str(survey)) for survey in surveys]


class SurveyScopedAdminMixin:
    """A ModelAdmin of survey data, limited to the user's surveys: the changelist, the
    change and delete pages (another survey's id is "not found"), the actions (they run on
    the changelist's queryset), autocomplete, the "survey" filter and the survey choices of
    the forms. ``survey_lookup``: the path from the model to its survey, "" for Survey."""

    survey_lookup = "survey"

    def get_queryset(self, request):
        return surveys_for_staff(
            request.user, super().get_queryset(request), lookup=self.survey_lookup
        )

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            name = entry[0] if isinstance(entry, tuple) else entry
            if self.survey_lookup and name == self.survey_lookup:
                entry = (name, AssignedSurveyListFilter)
            filters.append(entry)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scoped_formfield(formfield, db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scoped_formfield(formfield, db_field, request)


def _scoped_formfield(formfield, db_field, request):
    """Choices of a survey, or of something of a survey, limited to the user's surveys."""
    if formfield is None or not hasattr(formfield, "queryset"):
        return formfield
    lookup = _survey_lookup_of(db_field.related_model)
    if lookup is not None:
        formfield.queryset = surveys_for_staff(request.user, formfield.queryset, lookup=lookup)
    return formfield


def _survey_lookup_of(model) -> str | None:
    """The path from ``model`` to its survey: "" for Survey, "survey" or "question__survey"
    for the things of a survey; None for models that belong to no survey."""
    if model is Survey:
        return ""
    fields = {f.name: f.related_model for f in model._meta.fields if f.is_relation}
    if fields.get("survey") is Survey:
        return "survey"
    question = fields.get("question")
    if question is not None and _survey_lookup_of(question) == "survey":
        return "question__survey"
    return None
