from django.apps import AppConfig


class TeachingConfig(AppConfig):
    """Teacher and district pages (the top layer): nothing imports this app."""

    name = "teaching"
    verbose_name = "Teacher and district pages"

    def ready(self) -> None:
        from .privacy import register_teaching  # noqa: PLC0415 - models load after the AppConfig

        register_teaching()
