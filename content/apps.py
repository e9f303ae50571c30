from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Lessons and topics"

    def ready(self) -> None:
        from .privacy import register_content  # noqa: PLC0415 - models load after the AppConfig

        register_content()  # how a student's lessons and records are exported, erased, purged
