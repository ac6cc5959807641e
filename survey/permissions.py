"""Who may open the staff pages of the survey app (paper entry, access codes, results
previews, monitoring, exports)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from survey.models import Survey


def staff_has_perm(user, permission: str) -> bool:
    """The staff flag as well as the permission, like the admin: taking the flag away ends
    access at once, even for someone who keeps the group and an open session."""
    return user.is_authenticated and user.is_staff and user.has_perm(permission)


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
    permission is checked; an unknown slug is a 404. Override ``dispatch_survey`` (calling
    ``super()``) to refuse a survey or load more for it."""

    def dispatch_permitted(self, request, *args, **kwargs):
        self.survey = get_object_or_404(Survey, slug=kwargs["slug"])
        return self.dispatch_survey(request, *args, **kwargs)

    def dispatch_survey(self, request, *args, **kwargs):
        return super().dispatch_permitted(request, *args, **kwargs)
