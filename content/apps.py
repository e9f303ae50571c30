from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Lessons and topics"

    def ready(self):
        from .caching import connect_signals

        connect_signals()
