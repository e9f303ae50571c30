from django.apps import AppConfig


class VividlyConfig(AppConfig):
    """Project-level app: management commands (devservices) and cross-cutting helpers."""

    name = "vividly"
    verbose_name = "Vividly platform"
