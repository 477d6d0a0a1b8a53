from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark, the load-test targets and the demo data at scale: they read every
    app, so they live here, above them all (nothing imports ``bench``)."""

    name = "bench"
    verbose_name = "Benchmark"
