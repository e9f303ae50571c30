"""Ingestion runs, chunks and embeddings (filled in by the ingestion issue)."""
