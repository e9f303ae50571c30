"""The OpenStax corpus (issue 10): where the books come from and the limits on unpacking them."""

import configparser
from pathlib import Path

from .environment import BASE_DIR, VAR_DIR, env

_CORPUS = Path("shared") / "oer" / "openstax"


def _cloned_from(checkout: Path) -> Path | None:
    """The local checkout this one was cloned from (its git "origin" when that is a folder), if any."""
    config = configparser.ConfigParser(strict=False)
    try:
        config.read(checkout / ".git" / "config")
        url = config.get('remote "origin"', "url", fallback="")
    except (configparser.Error, OSError):
        return None
    path = Path(url.removeprefix("file://")) if url.startswith(("/", "file://")) else None
    return path if path is not None and path.is_dir() else None


def default_corpus(checkout: Path) -> Path:
    """Where the OpenStax books are unless OER_SOURCE_DIR says: ../shared/oer/openstax beside this checkout
    or beside a folder above it, else beside the checkout this one was cloned from (a fresh clone in a
    scratch folder finds the books of the machine it was cloned on). The first candidate when none exists,
    so the "not found" message names the documented place."""
    candidates = [folder / _CORPUS for folder in checkout.parents]
    origin = _cloned_from(checkout)
    if origin is not None:
        candidates += [folder / _CORPUS for folder in origin.parents]
    return next((c for c in candidates if c.is_dir()), candidates[0])


OER_SOURCE_DIR = Path(env.str("OER_SOURCE_DIR", default=str(default_corpus(BASE_DIR))))
OER_CACHE_DIR = Path(env.str("OER_CACHE_DIR", default=str(BASE_DIR / ".var" / "oer-cache")))
OER_ARCHIVE_MAX_BYTES = env.int("OER_ARCHIVE_MAX_BYTES", default=200 * 1024 * 1024)  # download size cap
OER_EXTRACT_MAX_BYTES = env.int("OER_EXTRACT_MAX_BYTES", default=500 * 1024 * 1024)  # zip-bomb cap
OER_EXTRACT_MAX_RATIO = env.int("OER_EXTRACT_MAX_RATIO", default=200)  # per-member compression ratio cap
# The saved BM25 index of the active chunks (rebuilt from the database when missing; issues 17, 18).
SEARCH_INDEX_DIR = env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search"))
# Shared catalogue data (subjects, book and chapter pages; content/caching.py) in the Redis cache under a
# version that any catalogue write or ingest run bumps; the TTL only bounds a bump lost while Redis was down.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=3600)

# Dense retrieval (issue 19, ingestion/retrieval.py): "pgvector" (default) or "vertex_vector_search"
# (Vertex AI Vector Search; needs EMBEDDINGS_BACKEND=vertex, 768 dims). The index and its endpoint
# come from terraform (terraform/vector_search.tf outputs); while the index is building or
# unreachable, searches fall back to pgvector (breaker "vertex_vector_search").
RETRIEVAL_BACKEND = env.str("RETRIEVAL_BACKEND", default="pgvector")
VECTOR_SEARCH = {
    "PROJECT": env.str("GOOGLE_CLOUD_PROJECT", default=""),
    "LOCATION": env.str("VECTOR_SEARCH_LOCATION", default=env.str("GOOGLE_CLOUD_LOCATION", default="us-central1")),
    "INDEX_ID": env.str("VECTOR_SEARCH_INDEX_ID", default=""),
    "INDEX_ENDPOINT_ID": env.str("VECTOR_SEARCH_INDEX_ENDPOINT_ID", default=""),
    "DEPLOYED_INDEX_ID": env.str("VECTOR_SEARCH_DEPLOYED_INDEX_ID", default=""),
    # the deployed index's public endpoint domain (…vdb.vertexai.goog); empty: the regional API host
    "PUBLIC_ENDPOINT": env.str("VECTOR_SEARCH_PUBLIC_ENDPOINT", default=""),
    "API_ENDPOINT": env.str("VECTOR_SEARCH_API_ENDPOINT", default=""),  # tests and emulators only
    "PER_SECTION": env.int("VECTOR_SEARCH_PER_SECTION", default=4),  # neighbours per crowding tag (section)
    "UPSERT_BATCH": env.int("VECTOR_SEARCH_UPSERT_BATCH", default=500),
    "TIMEOUT": env.float("VECTOR_SEARCH_TIMEOUT", default=5.0),
}
