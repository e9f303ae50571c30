"""`manage.py search "question" [-k 5] [--json] [--passages] [--subject ..] [--book ..] [--chapter N]`."""

import json

from django.core.management.base import BaseCommand, CommandError

from ingestion.search import search, search_sections


class Command(BaseCommand):
    help = "Search the ingested textbooks: the sections that answer a question (or --passages)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("-k", type=int, default=5)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--passages", action="store_true", help="best passages instead of sections")
        parser.add_argument("--subject")
        parser.add_argument("--book")
        parser.add_argument("--chapter", type=int)

    def handle(self, *args, **options):
        if not options["query"].strip():
            raise CommandError("empty query")
        filters = {key: options[key] for key in ("subject", "book", "chapter") if options[key]}
        if options["passages"]:
            results = search(options["query"], k=options["k"], filters=filters)
        else:
            results = search_sections(options["query"], k=options["k"], filters=filters)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
            return
        for rank, result in enumerate(results, start=1):
            self.stdout.write(self.style.SUCCESS(f"{rank:>2}. [{result.score:.4f}] {result.citation}"))
            for passage in getattr(result, "passages", None) or [result]:
                self.stdout.write(f"    ({passage.anchor}) {passage.text[:240]}")
