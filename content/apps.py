from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Lessons and topics"

    def ready(self) -> None:
        from vividly.providers import ledger  # noqa: PLC0415 - kept beside the other ready-time imports

        from .caching import connect_signals  # noqa: PLC0415 - models load after the AppConfig
        from .privacy import register_content  # noqa: PLC0415 - models load after the AppConfig
        from .services import record_provider_call  # noqa: PLC0415 - models load after the AppConfig

        connect_signals()  # catalogue pages are cached until the catalogue changes
        register_content()  # how a student's lessons and records are exported, erased, purged
        ledger.set_writer(record_provider_call)  # providers' own cost rows (embeddings) land in the ledger
