"""Section-retrieval quality on the dev index: recall@1, recall@5 and MRR.

    .venv/bin/python bench/search_eval.py [--set questions|glossary|both] [-v]

`questions`: bench/data/eval_questions.json, 70 student-style questions written for this
benchmark (one gold section each, across the three books). `glossary`: "What is <term>?" for a
fixed random sample of glossary terms; gold = the section whose glossary defines the term.
A hit is the gold module among the distinct sections of the ranked passages.
"""

import argparse
import json
import random
import time
from pathlib import Path

from _setup import django_setup

DATA = Path(__file__).resolve().parent / "data" / "eval_questions.json"


def ranked_sections(passages) -> list[str]:
    seen: list[str] = []
    for passage in passages:
        if passage.module_id not in seen:
            seen.append(passage.module_id)
    return seen


def glossary_set(n: int = 150) -> list[dict]:
    from ingestion.models import Topic  # noqa: PLC0415 - the script sets Django up first

    terms: dict[str, set[str]] = {}
    for topic in Topic.objects.filter(is_active=True).select_related("chapter__book"):
        for entry in topic.glossary:
            terms.setdefault(entry["term"].lower(), set()).add(topic.module_id)
    unique = sorted((t, next(iter(m))) for t, m in terms.items() if len(m) == 1 and len(t) > 3)
    sample = random.Random(20261125).sample(unique, min(n, len(unique)))  # noqa: S311 - repeatable sample, not security
    return [{"q": f"What is {term}?", "module_id": module} for term, module in sample]


def evaluate(items: list[dict], verbose: bool) -> dict:
    from ingestion.search import search  # noqa: PLC0415 - the script sets Django up first

    hits1 = hits5 = 0
    reciprocal = 0.0
    started = time.perf_counter()
    for item in items:
        gold = {item["module_id"], *item.get("also", [])}
        sections = ranked_sections(search(item["q"], k=30))
        rank = next((i for i, m in enumerate(sections, start=1) if m in gold), None)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        reciprocal += 1 / rank if rank else 0.0
        if verbose and rank != 1:
            print(f"  rank={rank} gold={item['module_id']} got={sections[:3]} q={item['q'][:70]}")
    n = len(items)
    return {"n": n, "recall@1": hits1 / n, "recall@5": hits5 / n, "MRR": reciprocal / n,
            "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="both", choices=["questions", "glossary", "both"])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--book", help="only questions about this book slug")
    args = parser.parse_args()
    django_setup()
    sets = {}
    if args.set in {"questions", "both"}:
        sets["questions"] = json.loads(DATA.read_text())
    if args.set in {"glossary", "both"}:
        sets["glossary"] = glossary_set()
    if args.book:
        from ingestion.models import Topic  # noqa: PLC0415 - the script sets Django up first

        modules = set(Topic.objects.filter(chapter__book__slug=args.book).values_list("module_id", flat=True))
        sets = {name: [i for i in items if i["module_id"] in modules] for name, items in sets.items()}
    for name, items in sets.items():
        result = evaluate(items, args.verbose)
        print(f"{name:<10} n={result['n']:<4} recall@1={result['recall@1']:.3f} recall@5={result['recall@5']:.3f} "
              f"MRR={result['MRR']:.3f} ({result['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
