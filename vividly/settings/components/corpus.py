"""The OpenStax corpus (issue 10): where the books come from and the limits on unpacking them."""

from pathlib import Path

from .environment import BASE_DIR, VAR_DIR, env

OER_SOURCE_DIR = Path(env.str("OER_SOURCE_DIR", default=str(BASE_DIR.parent / "shared" / "oer" / "openstax")))
OER_CACHE_DIR = Path(env.str("OER_CACHE_DIR", default=str(BASE_DIR / ".var" / "oer-cache")))
OER_ARCHIVE_MAX_BYTES = env.int("OER_ARCHIVE_MAX_BYTES", default=200 * 1024 * 1024)  # download size cap
OER_EXTRACT_MAX_BYTES = env.int("OER_EXTRACT_MAX_BYTES", default=500 * 1024 * 1024)  # zip-bomb cap
OER_EXTRACT_MAX_RATIO = env.int("OER_EXTRACT_MAX_RATIO", default=200)  # per-member compression ratio cap
# Local embedding models exported to ONNX (vividly/providers/onnx_export.py) and the saved BM25 index
# of the active chunks (rebuilt from the database when missing).
EMBEDDING_MODEL_DIR = env.str("EMBEDDING_MODEL_DIR", default=str(VAR_DIR / "models"))
SEARCH_INDEX_DIR = env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search"))
