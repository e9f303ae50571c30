from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "flags"
    verbose_name = "Feature flags"

    def ready(self) -> None:
        from . import signals  # noqa: F401, PLC0415 - connects the audit/invalidation receivers
        from .privacy import register_flags  # noqa: PLC0415 - models load after the AppConfig

        register_flags()
