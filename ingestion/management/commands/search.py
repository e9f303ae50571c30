"""`manage.py search "question" [-k 10] [--json] [--subject ..] [--book ..] [--chapter N]`."""

import json

from django.core.management.base import BaseCommand, CommandError

from ingestion.search import search


class Command(BaseCommand):
    help = "Hybrid search over the ingested textbooks."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("-k", type=int, default=10)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--subject")
        parser.add_argument("--book")
        parser.add_argument("--chapter", type=int)

    def handle(self, *args, **options):
        if not options["query"].strip():
            raise CommandError("empty query")
        filters = {key: options[key] for key in ("subject", "book", "chapter") if options[key]}
        passages = search(options["query"], k=options["k"], filters=filters)
        if options["json"]:
            self.stdout.write(json.dumps([p.as_dict() for p in passages], ensure_ascii=False, indent=2))
            return
        for rank, passage in enumerate(passages, start=1):
            self.stdout.write(self.style.SUCCESS(f"{rank:>2}. [{passage.score:.4f}] {passage.citation}"
                                                 f"  ({passage.anchor})"))
            self.stdout.write(f"    {passage.text[:300]}")
