"""django-axes (admin login lock) with a German name and German object names in the admin.

Listed in INSTALLED_APPS in place of "axes". axes names its app "Axes" and its log entries
in English ("Access Log for …"), untranslatable; this keeps its behaviour and only changes
what staff read.
"""

from axes.apps import AppConfig
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "–"


class AxesConfig(AppConfig):
    verbose_name = _("Login protection")

    def ready(self):
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        AccessLog.__str__ = lambda log: (
            gettext("Login of %(user)s on %(date)s")
            % {
                "user": log.username,
                "date": _when(log.attempt_time),
            }
        )
        AccessAttempt.__str__ = lambda attempt: (
            gettext("Failed logins of %(user)s") % {"user": attempt.username}
        )
        AccessFailureLog.__str__ = lambda failure: (
            gettext("Failed login of %(user)s on %(date)s")
            % {"user": failure.username, "date": _when(failure.attempt_time)}
        )
