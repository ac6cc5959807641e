from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "survey"
    verbose_name = _("Surveys")

    def ready(self):
        from portal.caching import register_content_time
        from portal.search import register_search_provider
        from portal.sitemaps import register_sitemap
        from survey import checks  # noqa: F401 (registers the deployment checks)
        from survey.search import search_surveys, survey_vocabulary
        from survey.selectors import survey_open_teaser
        from survey.sitemaps import SurveyPagesSitemap, SurveySitemap

        register_search_provider("surveys", search_surveys, vocabulary=survey_vocabulary)
        from survey.dashboard import register_survey_panels

        register_survey_panels()

        register_sitemap("surveys", SurveySitemap)
        register_sitemap("survey-pages", SurveyPagesSitemap)
        # The open survey on the home page (survey_tags) and results on the portal's topic and
        # municipality pages (survey_results_tags): the views ask, the tags only render.
        from portal.page_context import register_page_context
        from survey.results.caching import municipality_results_version
        from survey.results.selectors import (
            survey_municipality_participation,
            survey_topic_findings,
        )

        register_page_context("home", "open_survey", survey_open_teaser, shared=True)
        register_page_context("topic", "survey_findings", survey_topic_findings)
        # Kept per worker under the content version and the results versions of the
        # surveys concerned (one query per render instead of one per survey).
        register_page_context(
            "municipality",
            "survey_participation",
            survey_municipality_participation,
            version=municipality_results_version,
        )
        # Surveys open and close on the cached lists and pages at their times.
        register_content_time("survey.Survey", "opens_at")
        register_content_time("survey.Survey", "closes_at")
        # Cached results must follow every change of what is published, also one made
        # without the admin or a service (a shell, a script): otherwise a question staff
        # just hid would stay in the cached breakdown menu and tables.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from survey.models import ResultsPublication, WeightingTarget
        from survey.results.caching import publication_changed, weighting_changed

        post_save.connect(publication_changed, sender=ResultsPublication)
        post_save.connect(weighting_changed, sender=WeightingTarget)
        post_delete.connect(weighting_changed, sender=WeightingTarget)
        m2m_changed.connect(publication_changed, sender=ResultsPublication.hidden_questions.through)
        # The analysts' admin (results, coding, quotes) sits beside the builder's admin.
        from survey.results import admin, admin_coding  # noqa: F401 (register the admin classes)
