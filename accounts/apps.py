from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and security"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the auth/axes receivers)
