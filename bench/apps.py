from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The load test's own views and commands, installed only with DJANGO_BENCH=true
    (``make bench`` sets it); never part of the production site or the Docker image."""

    name = "bench"
    verbose_name = "Lasttest"
