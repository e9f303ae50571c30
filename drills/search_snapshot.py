"""Print the top-5 search results of the drill queries as JSON (run with DATABASE_URL of the DB to probe)."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")

import django

django.setup()

from ingestion.search import search  # noqa: E402

QUERIES = [
    "What is Newton's second law?", "How does net force change acceleration?", "What is kinetic energy?",
    "Define velocity", "What is friction?", "What is an atom made of?", "How do chemical bonds form?",
    "What is the periodic table?", "What is a mole in chemistry?", "What is an ion?", "What is a cell?",
    "How does photosynthesis work?", "What is DNA?", "What do mitochondria do?", "What is evolution?",
    "units and measurement", "scientific method", "energy conservation", "electron configuration",
    "cell membrane transport",
]


def main() -> None:
    snapshot = {q: [[p.module_id, p.anchor, p.text[:60]] for p in search(q, k=5)] for q in QUERIES}
    sys.stdout.write(json.dumps(snapshot) + "\n")


if __name__ == "__main__":
    main()
