# Least privilege: one service account per role of the image. No project-wide editor/owner, no
# Cloud SQL client role (Cloud Run reaches the private IP through the connector with a password),
# secret access granted per secret, storage access granted on the media bucket only.

resource "google_service_account" "web" {
  account_id   = "${local.name}-web"
  display_name = "Vividly ${var.environment} web (Cloud Run)"
}

resource "google_service_account" "worker" {
  account_id   = "${local.name}-worker"
  display_name = "Vividly ${var.environment} Celery worker (Cloud Run)"
}

resource "google_service_account" "beat" {
  account_id   = "${local.name}-beat"
  display_name = "Vividly ${var.environment} Celery beat (Cloud Run)"
}

locals {
  service_accounts = {
    web    = google_service_account.web.email
    worker = google_service_account.worker.email
    beat   = google_service_account.beat.email
  }
  # Project roles each account needs: logs and metrics for all; Vertex AI (Gemini, the image model,
  # embeddings, Vector Search queries and upserts) for web (question embeddings, search) and worker
  # (generation, ingestion). Cloud Text-to-Speech needs no role beyond the API being enabled; only the
  # worker calls it. Beat calls no Google API.
  project_roles = {
    "web-logs"       = { account = "web", role = "roles/logging.logWriter" }
    "web-metrics"    = { account = "web", role = "roles/monitoring.metricWriter" }
    "web-vertex"     = { account = "web", role = "roles/aiplatform.user" }
    "worker-logs"    = { account = "worker", role = "roles/logging.logWriter" }
    "worker-metrics" = { account = "worker", role = "roles/monitoring.metricWriter" }
    "worker-vertex"  = { account = "worker", role = "roles/aiplatform.user" }
    "beat-logs"      = { account = "beat", role = "roles/logging.logWriter" }
    "beat-metrics"   = { account = "beat", role = "roles/monitoring.metricWriter" }
  }
  # Which secrets each account may read (beat needs no provider keys nor the metrics token).
  secret_readers = {
    web    = keys(local.secret_env)
    worker = keys(local.secret_env)
    beat   = [for name in keys(local.secret_env) : name if contains(["django-secret-key", "database-url", "redis-url", "sentry-dsn"], name)]
  }
  secret_bindings = merge([
    for account, names in local.secret_readers : {
      for name in names : "${account}-${name}" => { account = account, secret = name }
    }
  ]...)
}

resource "google_project_iam_member" "roles" {
  for_each = local.project_roles

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${local.service_accounts[each.value.account]}"
}

resource "google_secret_manager_secret_iam_member" "readers" {
  for_each = local.secret_bindings

  secret_id = google_secret_manager_secret.app[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${local.service_accounts[each.value.account]}"
}

# Web and worker read and write media objects; nobody may change the bucket or its IAM.
resource "google_storage_bucket_iam_member" "media_users" {
  for_each = toset(["web", "worker"])

  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${local.service_accounts[each.value]}"
}
