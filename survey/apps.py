from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Surveys")

    def ready(self):
        from portal.search import register_search_provider
        from portal.sitemaps import register_sitemap
        from survey.search import search_surveys, survey_vocabulary
        from survey.sitemaps import SurveyPagesSitemap, SurveySitemap

        register_search_provider("surveys", search_surveys, vocabulary=survey_vocabulary)

        register_sitemap("surveys", SurveySitemap)
        register_sitemap("survey-pages", SurveyPagesSitemap)
        # The analysts' admin (results, coding, quotes) sits beside the builder's admin.
        from survey import admin_results  # noqa: F401 (registers the admin classes)
