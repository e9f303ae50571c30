"""Section search latency (query embedding cold, then from the query-vector cache) and HNSW
recall@10 vs exact search, on the dev index.

    .venv/bin/python bench/search_latency.py [--queries 200]

Also prints the EXPLAIN plan of the vector query at full size (it must use the HNSW index).
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from _setup import django_setup

DATA = Path(__file__).resolve().parent / "data" / "eval_questions.json"


def queries(n: int) -> list[str]:
    from ingestion.models import Topic

    base = [item["q"] for item in json.loads(DATA.read_text())]
    for topic in Topic.objects.filter(is_active=True).order_by("pk"):
        base += [f"What is {g['term']}?" for g in topic.glossary[:1]]
        base.append(f"Explain {topic.title.lower()}")
    return base[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    django_setup()
    from django.core.cache import cache
    from django.db import connection, transaction

    from ingestion.models import EMBEDDING_COLUMNS
    from ingestion.query import prepare
    from ingestion.search import _where, active_versions, search_sections, vector_candidates
    from vividly.providers import registry

    provider = registry.get("embeddings")
    search_sections("warm up the model, the BM25 index and the connection", k=5)
    items = queries(args.queries)
    if hasattr(provider, "_key"):  # forget these queries' vectors: the first pass embeds every one
        cache.delete_many([provider._key(prepare(q).dense) for q in items])
        provider._lru.clear()
    load = os.getloadavg()[0]
    for label in ("query embedded", "query vector cached"):
        latencies = []
        for query in items:
            started = time.perf_counter()
            search_sections(query, k=5)
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"search_sections over {len(items)} queries, {label}: p50={statistics.median(latencies):.1f} ms "
              f"p95={p95:.1f} ms max={latencies[-1]:.1f} ms (load average {load:.1f} on 2 cores)")

    column = EMBEDDING_COLUMNS[provider.dimensions]
    where, params = _where({}, active_versions(model=provider.model))
    recalls, ann_ms, exact_ms = [], [], []
    for query in items:
        vector = provider.embed_query(query)
        t0 = time.perf_counter()
        approx = [cid for cid, _ in vector_candidates(vector, column=column, where=where, params=params, limit=10)]
        t1 = time.perf_counter()
        exact = [cid for cid, _ in vector_candidates(vector, column=column, where=where, params=params, limit=10,
                                                     exact=True)]
        t2 = time.perf_counter()
        ann_ms.append((t1 - t0) * 1000)
        exact_ms.append((t2 - t1) * 1000)
        recalls.append(len(set(approx) & set(exact)) / max(len(exact), 1))
    print(f"HNSW recall@10 vs exact: {statistics.mean(recalls):.4f} "
          f"(HNSW {statistics.median(ann_ms):.1f} ms, exact {statistics.median(exact_ms):.1f} ms median)")

    vector = "[" + ",".join(f"{x:.6f}" for x in provider.embed_query("mass and weight")) + "]"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(f"EXPLAIN SELECT c.id FROM ingestion_chunk c WHERE {where} "  # noqa: S608 - `where` is _where()'s fixed clauses
                       f"ORDER BY c.{column} <=> %s::vector LIMIT 60", [*params, vector])
        print("EXPLAIN (full index):")
        for (line,) in cursor.fetchall():
            print("   ", line[:140])


if __name__ == "__main__":
    main()
