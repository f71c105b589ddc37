from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from api import database_faults  # noqa: F401  (hears of database faults around views)
