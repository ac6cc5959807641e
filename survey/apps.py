from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Surveys")

    def ready(self):
        from portal.caching import register_content_time
        from portal.sitemaps import register_sitemap
        from survey.sitemaps import SurveyPagesSitemap, SurveySitemap

        register_sitemap("surveys", SurveySitemap)
        register_sitemap("survey-pages", SurveyPagesSitemap)
        # Surveys open and close on the cached lists and pages at their times.
        register_content_time("survey.Survey", "opens_at")
        register_content_time("survey.Survey", "closes_at")
        # The analysts' admin (results, coding, quotes) sits beside the builder's admin.
        from survey import admin_results  # noqa: F401 (registers the admin classes)
