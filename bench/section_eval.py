"""Section retrieval quality: does search find the section that answers? (issue 18, item 0)

    .venv/bin/python bench/section_eval.py [--split dev|heldout|both] [--limit N] [-v]

Question sets (gold = the section a question belongs to):
- `review`: the books' own end-of-section review questions and exercises, read from the ingested
  practice items at run time (textbook text never enters the repository). They are split by
  `ingestion.chunking.practice_split`: 'dev' (20%) for tuning, 'heldout' (30%) never tuned on;
  neither split is ever indexed (the other 50% are, as review-question chunks). A multiple-choice
  item is asked the way a student pastes it: stem and options.
- `student`: bench/data/student_questions.json, questions phrased as a 9th-grader would ask, written
  without the sections at hand and labelled afterwards (a few accept a second section).
- `classic`: bench/data/eval_questions.json, the older 70 questions written while reading the sections.

Each set is scored through `search_sections` (what the API and the understand stage use) and through
a plain baseline built here: MiniLM + BM25 on the same section text chunks, reciprocal-rank fusion
(k=60) of the two chunk rankings, sections ranked by their best chunk. Prints recall@1/5/10 and MRR
per book, and the search latency.
"""

import argparse
import json
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _setup import django_setup

DATA = Path(__file__).resolve().parent / "data"
BOOKS = ("physics", "chemistry-2e", "biology-2e")


def review_questions(split: str) -> list[dict]:
    from ingestion.chunking import practice_split
    from ingestion.models import PracticeItem, Topic

    books = dict(Topic.objects.filter(is_active=True).values_list("module_id", "chapter__book__slug"))
    items = []
    for item in PracticeItem.objects.exclude(section_class="in-text").order_by("pk"):
        if item.module_id not in books or practice_split(item.module_id, item.element_id) != split:
            continue
        question = " ".join([item.problem, *item.choices]).strip()
        if len(question) >= 15:
            items.append({"q": question, "module_id": item.module_id, "book": books[item.module_id]})
    return items


def student_questions(split: str) -> list[dict]:
    from ingestion.models import Topic

    books = dict(Topic.objects.values_list("module_id", "chapter__book__slug"))
    return [{**item, "book": books.get(item["module_id"], "")}
            for item in json.loads((DATA / "student_questions.json").read_text()) if item["split"] == split]


def classic_questions() -> list[dict]:
    from ingestion.models import Topic

    books = dict(Topic.objects.values_list("module_id", "chapter__book__slug"))
    return [{**item, "book": books.get(item["module_id"], "")}
            for item in json.loads((DATA / "eval_questions.json").read_text())]


class PlainHybrid:
    """The baseline: dense MiniLM + BM25 over the section text chunks, RRF, best chunk per section."""

    def __init__(self) -> None:
        import bm25s
        import Stemmer

        from ingestion.models import Chunk
        from ingestion.search import active_versions
        from vividly.providers import registry

        self.provider = registry.get("embeddings")
        rows = list(Chunk.objects.filter(version_id__in=active_versions(model=self.provider.model), kind="text")
                    .order_by("pk").values_list("module_id", "embed_text", "embedding_384"))
        self.modules = [r[0] for r in rows]
        self.vectors = np.array([r[2] for r in rows], dtype=np.float32)
        self.stemmer = Stemmer.Stemmer("english")
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize([r[1] for r in rows], stopwords="en", stemmer=self.stemmer,
                                       show_progress=False), show_progress=False)

    def sections(self, question: str, depth: int = 100, k: int = 60) -> list[str]:
        import bm25s

        dense = self.vectors @ np.asarray(self.provider.embed_query(question), dtype=np.float32)
        words = bm25s.tokenize([question], stopwords="en", stemmer=self.stemmer, show_progress=False,
                               return_ids=False)[0]
        words = [w for w in words if w in self.bm25.vocab_dict]
        lexical = self.bm25.get_scores(words) if words else np.zeros(len(self.modules))
        fused: dict[int, float] = defaultdict(float)
        for scores in (dense, lexical):
            for rank, row in enumerate(np.argsort(-scores)[:depth], start=1):
                fused[int(row)] += 1 / (k + rank)
        ranked: list[str] = []
        for row in sorted(fused, key=lambda r: -fused[r]):
            if self.modules[row] not in ranked:
                ranked.append(self.modules[row])
        return ranked


def score(items: list[dict], rank_fn, verbose: bool = False) -> tuple[dict, list[float]]:
    """{book|all: {n, R@1, R@5, R@10, MRR}} and per-question latencies (ms)."""
    ranks: dict[str, list[int | None]] = defaultdict(list)
    latencies = []
    for item in items:
        gold = {item["module_id"], *item.get("also", [])}
        started = time.perf_counter()
        sections = rank_fn(item["q"])
        latencies.append((time.perf_counter() - started) * 1000)
        rank = next((i for i, m in enumerate(sections[:10], start=1) if m in gold), None)
        ranks["all"].append(rank)
        ranks[item["book"]].append(rank)
        if verbose and rank != 1:
            print(f"    rank={rank} gold={item['module_id']} got={sections[:3]} q={item['q'][:90]!r}")
    table = {}
    for key, values in ranks.items():
        n = len(values)
        table[key] = {"n": n, "R@1": sum(r == 1 for r in values) / n,
                      "R@5": sum(r is not None and r <= 5 for r in values) / n,
                      "R@10": sum(r is not None for r in values) / n,
                      "MRR": sum(1 / r for r in values if r) / n}
    return table, latencies


def show(label: str, table: dict) -> None:
    cells = []
    for key in ("all", *BOOKS):
        if key in table:
            row = table[key]
            cells.append(f"{key.split('-')[0][:4]}(n={row['n']}) {row['R@1']:.3f}/{row['R@5']:.3f}/"
                         f"{row['R@10']:.3f}/{row['MRR']:.3f}")
    print(f"  {label:<10} " + "  ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="both", choices=["dev", "heldout", "both"])
    parser.add_argument("--sets", nargs="*", default=["review", "student", "classic"])
    parser.add_argument("--limit", type=int, default=0, help="at most N questions per set (0: all)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    django_setup()
    from ingestion.search import search_sections

    def ours(question: str) -> list[str]:
        return [hit.module_id for hit in search_sections(question, k=10, passages_per_section=1)]

    baseline = None if args.no_baseline else PlainHybrid()
    splits = ["dev", "heldout"] if args.split == "both" else [args.split]
    print("recall@1/recall@5/recall@10/MRR per book (section level)")
    all_latencies = []
    for name in args.sets:
        for split in ([""] if name == "classic" else splits):
            items = (classic_questions() if name == "classic" else
                     review_questions(split) if name == "review" else student_questions(split))
            if args.limit:
                items = items[:args.limit]
            print(f"{name}{' ' + split if split else ''}: {len(items)} questions")
            table, latencies = score(items, ours, args.verbose)
            all_latencies += latencies
            show("sections", table)
            if baseline is not None:
                show("plain", score(items, baseline.sections)[0])
    all_latencies.sort()
    print(f"search_sections latency over {len(all_latencies)} questions (query vectors cached only if asked before; machine load {os.getloadavg()[0]:.1f}): "
          f"p50={statistics.median(all_latencies):.0f} ms p95={all_latencies[int(0.95 * (len(all_latencies) - 1))]:.0f} ms")


if __name__ == "__main__":
    main()
