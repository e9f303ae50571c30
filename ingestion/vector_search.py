"""Vertex AI Vector Search through `google-cloud-aiplatform` (IndexService and MatchService, REST).

The index holds one datapoint per active chunk: id = the chunk's primary key, its 768-dim vector,
token restricts `version`/`book`/`subject`/`chapter`/`module` (so a query sees only active
versions and the caller's filters) and `crowding_tag` = the section (module id), so one section
cannot fill the top-k. The index uses streaming updates (`STREAM_UPDATE`, terraform/vector_search.tf):
ingestion upserts a version's datapoints when it becomes active and removes the retired ones.
Searches call `find_neighbors` on the deployed index; passages are then hydrated from Postgres
(ingestion.search), which stays the source of truth. Settings: VECTOR_SEARCH (components/corpus.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.conf import settings

from vividly.providers import google_cloud
from vividly.providers.base import ProviderRetryable

NAME = "vertex_vector_search"


def _conf() -> dict:
    return settings.VECTOR_SEARCH


def _location() -> str:
    return _conf().get("LOCATION") or "us-central1"


def _project() -> str:
    return _conf().get("PROJECT") or google_cloud.default_project()


def index_name() -> str:
    return f"projects/{_project()}/locations/{_location()}/indexes/{_conf()['INDEX_ID']}"


def endpoint_name() -> str:
    return f"projects/{_project()}/locations/{_location()}/indexEndpoints/{_conf()['INDEX_ENDPOINT_ID']}"


def configured() -> bool:
    conf = _conf()
    return bool(conf.get("INDEX_ID") and conf.get("INDEX_ENDPOINT_ID") and conf.get("DEPLOYED_INDEX_ID"))


@cache
def _index_client(api_endpoint: str):
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    return aiplatform_v1.IndexServiceClient(transport="rest", credentials=google_cloud.credentials(),
                                            client_options={"api_endpoint": api_endpoint})


@cache
def _match_client(api_endpoint: str):
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    return aiplatform_v1.MatchServiceClient(transport="rest", credentials=google_cloud.credentials(),
                                            client_options={"api_endpoint": api_endpoint})


def index_client():
    return _index_client(_conf().get("API_ENDPOINT") or f"{_location()}-aiplatform.googleapis.com")


def match_client():
    """The deployed index's public endpoint (its `public_endpoint_domain_name`), else the regional API."""
    conf = _conf()
    return _match_client(conf.get("PUBLIC_ENDPOINT") or conf.get("API_ENDPOINT")
                         or f"{_location()}-aiplatform.googleapis.com")


def reset_clients() -> None:
    _index_client.cache_clear()
    _match_client.cache_clear()


def _restricts(pairs: Iterable[tuple[str, list[str]]]):
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    return [aiplatform_v1.IndexDatapoint.Restriction(namespace=namespace, allow_list=values)
            for namespace, values in pairs if values]


def datapoint(chunk: dict):
    """A chunk row (id, version_id, book_slug, subject, chapter_number, module_id, vector) as a datapoint."""
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    return aiplatform_v1.IndexDatapoint(
        datapoint_id=str(chunk["id"]), feature_vector=[float(x) for x in chunk["vector"]],
        restricts=_restricts([("version", [str(chunk["version_id"])]), ("book", [chunk["book_slug"]]),
                              ("subject", [chunk["subject"]]), ("chapter", [str(chunk["chapter_number"])]),
                              ("module", [chunk["module_id"]])]),
        crowding_tag=aiplatform_v1.IndexDatapoint.CrowdingTag(crowding_attribute=chunk["module_id"]))


def _call(what: str, func, *args, **kwargs):
    """Any failure is 'the index is not serving' (building, undeployed, unreachable): retryable, so the
    breaker counts it and searches fall back to pgvector until it answers again."""
    google_cloud.guard(NAME)
    try:
        return func(*args, **kwargs)
    except Exception as exc:
        mapped = google_cloud.map_api_core_error(exc, f"Vector Search {what}")
        raise ProviderRetryable(str(mapped)) from exc


def upsert(chunks: list[dict]) -> int:
    """Stream datapoints into the index in batches (UPSERT_BATCH); returns how many were sent."""
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    size = int(_conf().get("UPSERT_BATCH") or 500)
    for start in range(0, len(chunks), size):
        request = aiplatform_v1.UpsertDatapointsRequest(
            index=index_name(), datapoints=[datapoint(c) for c in chunks[start:start + size]])
        _call("upsert", index_client().upsert_datapoints, request=request, timeout=_conf().get("TIMEOUT", 30))
    return len(chunks)


def remove(ids: list[int]) -> int:
    """Remove datapoints (chunks of retired versions)."""
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    size = int(_conf().get("UPSERT_BATCH") or 500)
    for start in range(0, len(ids), size):
        request = aiplatform_v1.RemoveDatapointsRequest(index=index_name(),
                                                       datapoint_ids=[str(i) for i in ids[start:start + size]])
        _call("remove", index_client().remove_datapoints, request=request, timeout=_conf().get("TIMEOUT", 30))
    return len(ids)


def find_neighbors(vector: list[float], *, versions: list[int], filters: dict, limit: int) -> list[int]:
    """Chunk ids nearest the query vector, restricted to the active versions and the filters."""
    from google.cloud import aiplatform_v1  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    conf = _conf()
    restricts = _restricts([
        ("version", [str(v) for v in versions]), ("book", [filters["book"]] if filters.get("book") else []),
        ("subject", [filters["subject"]] if filters.get("subject") else []),
        ("chapter", [str(filters["chapter"])] if filters.get("chapter") not in (None, "") else []),
        ("module", [filters["module_id"]] if filters.get("module_id") else [])])
    query = aiplatform_v1.FindNeighborsRequest.Query(
        datapoint=aiplatform_v1.IndexDatapoint(datapoint_id="query", feature_vector=[float(x) for x in vector],
                                               restricts=restricts),
        neighbor_count=limit, per_crowding_attribute_neighbor_count=int(conf.get("PER_SECTION") or 0))
    request = aiplatform_v1.FindNeighborsRequest(index_endpoint=endpoint_name(),
                                                 deployed_index_id=conf["DEPLOYED_INDEX_ID"], queries=[query],
                                                 return_full_datapoint=False)
    response = _call("find_neighbors", match_client().find_neighbors, request=request,
                     timeout=conf.get("TIMEOUT", 5))
    ids = []
    for result in response.nearest_neighbors:
        for neighbor in result.neighbors:
            try:
                ids.append(int(neighbor.datapoint.datapoint_id))
            except ValueError:
                continue  # not one of ours
    return ids


def index_stats() -> dict:
    """The index's datapoint count and update method (for `check_providers`)."""
    index = _call("get_index", index_client().get_index, name=index_name(), timeout=_conf().get("TIMEOUT", 10))
    return {"vectors": int(index.index_stats.vectors_count or 0) if index.index_stats else 0,
            "update_method": getattr(index.index_update_method, "name", str(index.index_update_method))}
