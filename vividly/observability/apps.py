from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "vividly.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        # Connect the Celery signal receivers that count task outcomes (web and worker processes).
        from . import metrics  # noqa: PLC0415 - models load after the AppConfig

        metrics.connect_celery_signals()
