# Secret Manager: generated secrets get a version here; the optional Sentry DSN only when a value is
# given. No Google API key: the services reach Vertex AI and Cloud TTS as their service accounts
# (Application Default Credentials, iam.tf). Rotation: docs/operations.md.

resource "random_password" "django_secret_key" {
  length  = 64
  special = false
}

resource "random_password" "metrics_token" {
  length  = 40
  special = false
}

locals {
  generated_secrets = {
    "django-secret-key" = random_password.django_secret_key.result
    "database-url"      = "postgres://${google_sql_user.vividly.name}:${random_password.db.result}@${google_sql_database_instance.main.private_ip_address}:5432/${google_sql_database.vividly.name}?sslmode=require"
    "redis-url"         = "redis://:${google_redis_instance.main.auth_string}@${google_redis_instance.main.host}:${google_redis_instance.main.port}/0"
    "metrics-token"     = random_password.metrics_token.result
  }
  optional_secrets = {
    "sentry-dsn" = var.sentry_dsn
  }
  # for_each keys must not derive from sensitive values: names are listed, values looked up.
  generated_secret_names = ["django-secret-key", "database-url", "redis-url", "metrics-token"]
  optional_secret_names = concat(
    nonsensitive(var.sentry_dsn != "") ? ["sentry-dsn"] : [],
  )
  # Secret name -> environment variable in the containers.
  secret_env = merge(
    {
      "django-secret-key" = "SECRET_KEY"
      "database-url"      = "DATABASE_URL"
      "redis-url"         = "REDIS_URL"
      "metrics-token"     = "METRICS_TOKEN"
    },
    contains(local.optional_secret_names, "sentry-dsn") ? { "sentry-dsn" = "SENTRY_DSN" } : {},
  )
}

resource "google_secret_manager_secret" "app" {
  for_each = toset(concat(local.generated_secret_names, ["sentry-dsn"]))

  secret_id = "${local.name}-${each.key}"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "generated" {
  for_each = toset(local.generated_secret_names)

  secret      = google_secret_manager_secret.app[each.key].id
  secret_data = local.generated_secrets[each.key]
}

resource "google_secret_manager_secret_version" "optional" {
  for_each = toset(local.optional_secret_names)

  secret      = google_secret_manager_secret.app[each.key].id
  secret_data = local.optional_secrets[each.key]
}
