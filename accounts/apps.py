from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and security"

    def ready(self) -> None:
        from . import signals  # noqa: F401, PLC0415 - connects the auth/axes receivers
        from .privacy.owners import register_accounts  # noqa: PLC0415 - models load after the AppConfig

        register_accounts()
