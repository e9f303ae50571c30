from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and security"

    def ready(self) -> None:
        from vividly.providers import residency  # noqa: PLC0415 - kept beside the other ready-time imports

        from . import signals  # noqa: F401, PLC0415 - connects the auth/axes receivers
        from .privacy.owners import register_accounts  # noqa: PLC0415 - models load after the AppConfig
        from .privacy.selectors import must_use_local_providers  # noqa: PLC0415 - models load after the AppConfig

        register_accounts()
        residency.set_district_policy(must_use_local_providers)  # every Google call obeys the district
