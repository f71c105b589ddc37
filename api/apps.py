from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API plumbing"

    def ready(self) -> None:
        from api import tenancy  # noqa: F401  (registers the tenancy system check)
