"""Full three-book ingest of the shared corpus: wall and CPU time, chunks, peak memory — and the
retrieval figures of the index it built, beside them (held-out questions, bench/section_eval.py).

    .venv/bin/python bench/ingest_full.py [--book all] [--keep-vectors] [--no-eval]

Writes to the dev database (this *is* the real ingest `make run` does). By default it rebuilds from
scratch: re-parse, new index versions, every chunk embedded again (`--keep-vectors` reuses vectors of
unchanged text). The machine's load average is printed: on a shared 2-core box, compare CPU seconds.
"""

import argparse
import os
import resource
import time

from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--book", default="all")
    parser.add_argument("--keep-vectors", action="store_true", help="reuse vectors of unchanged text")
    parser.add_argument("--no-eval", action="store_true", help="skip the retrieval figures")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from ingestion.models import Chunk
    from ingestion.pipeline import run_ingest

    load_before = os.getloadavg()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run = run_ingest(book=args.book, force=True, reembed=not args.keep_vectors, progress=False)
    wall = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (cpu.ru_utime - cpu_before.ru_utime) + (cpu.ru_stime - cpu_before.ru_stime)
    peak_mb = cpu.ru_maxrss / 1024
    print(f"run #{run.pk}: {run.status}, {len(run.errors)} errors")
    for key, seconds in run.timings.items():
        print(f"  {key:<28} {seconds:8.2f} s")
    active = Chunk.objects.filter(version__status="active")
    kinds = {k: active.filter(kind=k).count() for k in ("text", "overview", "glossary", "practice")}
    print(f"active chunks: {active.count()} {kinds}")
    embedded = run.counts.get("chunks_embedded", 0)
    embed_seconds = sum(v for k, v in run.timings.items() if k.endswith(":embed"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('ingestion_chunk'))")
        table_size = cursor.fetchone()[0]
    print(f"WALL {wall:.1f} s; ingest process CPU {cpu_seconds:.0f} s (PostgreSQL's own CPU not included); "
          f"embedding {embedded} chunks in {embed_seconds:.1f} s = {embedded / max(embed_seconds, 1e-9):.0f}/s; "
          f"peak RSS {peak_mb:.0f} MB; chunk table {table_size}")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (2 cores; >2 means shared)")
    if not args.no_eval:
        from section_eval import review_questions, score, show, student_questions

        from ingestion.search import search_sections

        def ours(question: str) -> list[str]:
            return [hit.module_id for hit in search_sections(question, k=10, passages_per_section=1)]

        print("retrieval of this index, held-out questions (recall@1/recall@5/recall@10/MRR):")
        for name, items in (("review", review_questions("heldout")), ("student", student_questions("heldout"))):
            show(name, score(items, ours)[0])


if __name__ == "__main__":
    main()
