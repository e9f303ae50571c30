output "web_url" {
  description = "Cloud Run URL of the web service (map site_domain to it)."
  value       = google_cloud_run_v2_service.web.uri
}

output "cdn_ip_address" {
  description = "Global IP for the CDN: create an A record for cdn_domain pointing here."
  value       = google_compute_global_address.cdn.address
}

output "cdn_url" {
  value = "https://${var.cdn_domain}/"
}

output "media_bucket" {
  value = google_storage_bucket.media.name
}

output "artifact_registry" {
  description = "Push images here: <region>-docker.pkg.dev/<project>/<repository>/vividly:<tag>."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "database_instance" {
  description = "Cloud SQL instance name (backups, restores: docs/operations.md)."
  value       = google_sql_database_instance.main.name
}

output "database_connection_name" {
  value = google_sql_database_instance.main.connection_name
}

output "redis_host" {
  value = google_redis_instance.main.host
}

output "migrate_job" {
  value = google_cloud_run_v2_job.migrate.name
}

output "service_accounts" {
  value = local.service_accounts
}

output "secret_ids" {
  description = "Secret Manager secrets the services read (rotate with a new version)."
  value       = { for name, secret in google_secret_manager_secret.app : name => secret.secret_id }
}

output "vector_search" {
  description = "Vertex AI Vector Search index, endpoint and deployed index (RETRIEVAL_BACKEND=vertex_vector_search)."
  value = local.vector_search_used ? {
    index          = google_vertex_ai_index.chunks[0].id
    index_endpoint = google_vertex_ai_index_endpoint.chunks[0].id
    deployed_index = local.deployed_index_id
    public_domain  = google_vertex_ai_index_endpoint.chunks[0].public_endpoint_domain_name
  } : null
}
