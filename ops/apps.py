from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations above every domain: the load test and its data set."""

    name = "ops"
    verbose_name = "Operations"
