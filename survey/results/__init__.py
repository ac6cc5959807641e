"""The results side of the survey app: computing, protecting, publishing and exporting
what the responses say (README, "Auswertung")."""

# survey.services and survey.admin still import the invalidation from here.
from survey.results.caching import survey_results_invalidate  # noqa: F401 (re-export)
