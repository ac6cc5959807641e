"""The results side of the survey app: computing, protecting, publishing and exporting
what the responses say (README, "Auswertung")."""
