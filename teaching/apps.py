from django.apps import AppConfig


class TeachingConfig(AppConfig):
    """Teacher and district pages (the top layer): nothing imports this app."""

    name = "teaching"
    verbose_name = "Teacher and district pages"
