"""System checks of the survey app (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _

# Below this the mixing pool hides a response among too few others (README, "Zugangscodes").
MIN_POOL_SIZE = 5


@register(Tags.security, deploy=True)
def pool_size_check(app_configs, **kwargs):
    size = int(getattr(settings, "SURVEY_POOL_SIZE", 10))
    if size >= MIN_POOL_SIZE:
        return []
    return [
        Warning(
            _("SURVEY_POOL_SIZE is %(size)s: online responses are hardly mixed.") % {"size": size},
            hint=_(
                "Below %(minimum)s a response can be paired with its access code almost "
                "certainly; 1 switches the mixing pool off. Use at least %(minimum)s "
                "(default 10)."
            )
            % {"minimum": MIN_POOL_SIZE},
            id="survey.W001",
        )
    ]
