"""Full three-book ingest of the shared corpus: wall time, chunks/s, peak memory.

    .venv/bin/python bench/ingest_full.py [--force] [--book all]

Writes to the dev database (this *is* the real ingest `make run` does). --force rebuilds from scratch
(re-parse, new index version, re-embed everything; without it an up-to-date corpus is a no-op).
"""

import argparse
import resource
import time

from _setup import django_setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--book", default="all")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--reembed", action="store_true", help="ignore the embedding cache")
    args = parser.parse_args()
    django_setup()
    from ingestion.models import Chunk
    from ingestion.pipeline import run_ingest

    started = time.perf_counter()
    run = run_ingest(book=args.book, force=args.force, reembed=args.reembed, progress=True)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    embedded = run.counts.get("chunks_embedded", 0)
    embed_seconds = sum(v for k, v in run.timings.items() if k.endswith(":embed"))
    print(f"run #{run.pk}: {run.status}, {len(run.errors)} errors")
    for key, seconds in run.timings.items():
        print(f"  {key:<28} {seconds:8.2f} s")
    print(f"counts: {run.counts}")
    print(f"active chunks in index: {Chunk.objects.filter(version__status='active').count()}")
    print(f"wall time: {wall:.1f} s; chunks/s end to end: {run.counts.get('chunks', 0) / wall:.1f}; "
          f"embedding: {embedded} chunks in {embed_seconds:.1f} s = {embedded / max(embed_seconds, 1e-9):.1f}/s")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
