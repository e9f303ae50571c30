"""The OpenStax corpus (issue 10): where the books come from and the limits on unpacking them."""

from pathlib import Path

from .environment import BASE_DIR, VAR_DIR, env

OER_SOURCE_DIR = Path(env.str("OER_SOURCE_DIR", default=str(BASE_DIR.parent / "shared" / "oer" / "openstax")))
OER_CACHE_DIR = Path(env.str("OER_CACHE_DIR", default=str(BASE_DIR / ".var" / "oer-cache")))
OER_ARCHIVE_MAX_BYTES = env.int("OER_ARCHIVE_MAX_BYTES", default=200 * 1024 * 1024)  # download size cap
OER_EXTRACT_MAX_BYTES = env.int("OER_EXTRACT_MAX_BYTES", default=500 * 1024 * 1024)  # zip-bomb cap
OER_EXTRACT_MAX_RATIO = env.int("OER_EXTRACT_MAX_RATIO", default=200)  # per-member compression ratio cap
# The saved BM25 index of the active chunks (rebuilt from the database when missing; issues 17, 18).
SEARCH_INDEX_DIR = env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search"))
# Shared catalogue data (subjects, book and chapter pages; content/caching.py) in the Redis cache under a
# version that any catalogue write or ingest run bumps; the TTL only bounds a bump lost while Redis was down.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=3600)
