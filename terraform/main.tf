locals {
  name = "vividly-${var.environment}"
  labels = merge(var.labels, {
    app         = "vividly"
    environment = var.environment
  })
  vividly_env = var.environment == "prod" ? "production" : "development"

  apis = [
    "artifactregistry.googleapis.com",
    "billingbudgets.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "monitoring.googleapis.com",
    "redis.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "aiplatform.googleapis.com",
    "texttospeech.googleapis.com",
    "vpcaccess.googleapis.com",
  ]
}

resource "google_project_service" "apis" {
  for_each = toset(local.apis)

  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  location      = var.region
  repository_id = local.name
  format        = "DOCKER"
  description   = "Vividly container images (${var.environment})."
  labels        = local.labels

  depends_on = [google_project_service.apis]
}
