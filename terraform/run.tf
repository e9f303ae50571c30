# Cloud Run: web, worker and beat from one image (var.container_image), plus a migrate job.
# The worker and beat have no web server: their Prometheus exporter (WORKER_METRICS_PORT) listens
# on the container port, which also satisfies Cloud Run's port check; they keep CPU allocated.

locals {
  common_env = {
    DJANGO_SETTINGS_MODULE = "vividly.settings.production"
    VIVIDLY_ENV            = local.vividly_env
    VIVIDLY_RELEASE        = var.release
    ALLOWED_HOSTS          = var.site_domain
    CSRF_TRUSTED_ORIGINS   = "https://${var.site_domain}"
    SITE_URL               = "https://${var.site_domain}"
    MEDIA_URL              = "https://${var.cdn_domain}/"
    GS_BUCKET_NAME         = google_storage_bucket.media.name
    GOOGLE_CLOUD_PROJECT   = var.project_id
    # AI providers (issue 19): Google's SDKs as the service account (ADC), in the district's region
    LLM_PROVIDER                    = "gemini"
    IMAGE_PROVIDER                  = "nano_banana"
    TTS_PROVIDER                    = "google"
    EMBEDDINGS_BACKEND              = "vertex"
    GOOGLE_CLOUD_LOCATION           = local.ai_region
    GOOGLE_TTS_LOCATION             = var.tts_location
    RETRIEVAL_BACKEND               = var.retrieval_backend
    VECTOR_SEARCH_INDEX_ID          = local.vector_search_used ? google_vertex_ai_index.chunks[0].name : ""
    VECTOR_SEARCH_INDEX_ENDPOINT_ID = local.vector_search_used ? google_vertex_ai_index_endpoint.chunks[0].name : ""
    VECTOR_SEARCH_DEPLOYED_INDEX_ID = local.vector_search_used ? local.deployed_index_id : ""
    VECTOR_SEARCH_PUBLIC_ENDPOINT   = local.vector_search_used ? google_vertex_ai_index_endpoint.chunks[0].public_endpoint_domain_name : ""
    LOG_LEVEL                       = "INFO"
    PROMETHEUS_MULTIPROC_DIR        = "/tmp/prometheus"
    HF_HUB_OFFLINE                  = "1"
    # Proxies that append to X-Forwarded-For in front of Django. The web service is reached directly
    # (run.app URL or a domain mapping, ingress ALL): Cloud Run's Google front end is the only proxy
    # and writes the address it received the connection from as the right-most entry, so the client
    # is 1 from the right and anything a client sends further left is ignored. The CDN load balancer
    # in cdn.tf fronts only the media bucket, never this service. Put the web service behind an
    # external Application Load Balancer (serverless NEG) and the balancer appends
    # "<client>,<balancer address>": use 2 then. Verify after every topology change:
    # docs/operations.md, "Client IP behind Cloud Run".
    TRUSTED_PROXY_COUNT = "1"
  }
  # Two worker services (issue 17): "default" (e-mails, sweeps, retention: light, quick) and
  # "heavy" (lesson rendering and ingestion: CPU-bound) on their own instances and CPU limits, so
  # a burst of rendering never delays the light queue, and neither shares CPU with the web service.
  worker_pools = {
    default = {
      queues = "default", concurrency = var.worker_concurrency, cpu = var.worker_cpu,
      memory = var.worker_memory, min = var.worker_min_instances, max = var.worker_max_instances
    }
    heavy = {
      queues = "generation,ingestion", concurrency = var.heavy_worker_concurrency, cpu = var.heavy_worker_cpu,
      memory = var.heavy_worker_memory, min = var.heavy_worker_min_instances, max = var.heavy_worker_max_instances
    }
  }
  exporter_env = {
    WORKER_METRICS_PORT = "8080"
    WORKER_METRICS_ADDR = "0.0.0.0"
  }
}

resource "google_cloud_run_v2_service" "web" {
  name                = "${local.name}-web"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    service_account                  = google_service_account.web.email
    max_instance_request_concurrency = 40
    timeout                          = "300s"

    scaling {
      min_instance_count = var.web_min_instances
      max_instance_count = var.web_max_instances
    }

    vpc_access {
      connector = google_vpc_access_connector.main.id
      egress    = "PRIVATE_RANGES_ONLY"
    }

    containers {
      image = var.container_image

      ports {
        container_port = 8000
      }

      resources {
        limits = {
          cpu    = var.web_cpu
          memory = var.web_memory
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.common_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_env
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.app[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        period_seconds    = 3
        timeout_seconds   = 2
        failure_threshold = 40
        http_get {
          path = "/healthz"
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
        http_get {
          path = "/healthz"
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.readers,
    google_secret_manager_secret_version.generated,
  ]
}

# The site is public; worker and beat accept no unauthenticated requests.
resource "google_cloud_run_v2_service_iam_member" "web_public" {
  name     = google_cloud_run_v2_service.web.name
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The light worker kept its address when the heavy pool was split off (no destroy/create).
moved {
  from = google_cloud_run_v2_service.worker
  to   = google_cloud_run_v2_service.worker["default"]
}

resource "google_cloud_run_v2_service" "worker" {
  for_each            = local.worker_pools
  name                = each.key == "default" ? "${local.name}-worker" : "${local.name}-worker-${each.key}"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    service_account = google_service_account.worker.email
    timeout         = "3600s"

    scaling {
      min_instance_count = each.value.min
      max_instance_count = each.value.max
    }

    vpc_access {
      connector = google_vpc_access_connector.main.id
      egress    = "PRIVATE_RANGES_ONLY"
    }

    containers {
      image   = var.container_image
      command = ["celery"]
      args = [
        "-A", "vividly", "worker", "--pool=prefork", "--concurrency=${each.value.concurrency}",
        "-Q", each.value.queues, "-n", "${each.key}@%h", "--loglevel=INFO", "--without-gossip",
      ]

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = each.value.cpu
          memory = each.value.memory
        }
        cpu_idle = false
      }

      dynamic "env" {
        for_each = merge(local.common_env, local.exporter_env)
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_env
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.app[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        period_seconds    = 5
        timeout_seconds   = 2
        failure_threshold = 24
        tcp_socket {
          port = 8080
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.readers,
    google_secret_manager_secret_version.generated,
  ]
}

resource "google_cloud_run_v2_service" "beat" {
  name                = "${local.name}-beat"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    service_account = google_service_account.beat.email

    # Exactly one scheduler, always on.
    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }

    vpc_access {
      connector = google_vpc_access_connector.main.id
      egress    = "PRIVATE_RANGES_ONLY"
    }

    containers {
      image   = var.container_image
      command = ["celery"]
      args    = ["-A", "vividly", "beat", "--loglevel=INFO"]

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
        cpu_idle = false
      }

      dynamic "env" {
        # Beat serves no Django pages and does not read the metrics token: /metrics stays off.
        for_each = merge(local.common_env, local.exporter_env, { METRICS_ENABLED = "false" })
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = { for name, variable in local.secret_env : name => variable if contains(local.secret_readers.beat, name) }
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.app[env.key].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        period_seconds    = 5
        timeout_seconds   = 2
        failure_threshold = 24
        tcp_socket {
          port = 8080
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.readers,
    google_secret_manager_secret_version.generated,
  ]
}

# `gcloud run jobs execute vividly-<env>-migrate --wait` before shifting traffic (docs/operations.md).
resource "google_cloud_run_v2_job" "migrate" {
  name                = "${local.name}-migrate"
  location            = var.region
  deletion_protection = var.deletion_protection
  labels              = local.labels

  template {
    task_count = 1

    template {
      service_account = google_service_account.web.email
      max_retries     = 0
      timeout         = "1800s"

      vpc_access {
        connector = google_vpc_access_connector.main.id
        egress    = "PRIVATE_RANGES_ONLY"
      }

      containers {
        image   = var.container_image
        command = ["python"]
        args    = ["manage.py", "migrate", "--noinput"]

        resources {
          limits = {
            cpu    = "1"
            memory = "2Gi"
          }
        }

        dynamic "env" {
          for_each = local.common_env
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = local.secret_env
          content {
            name = env.value
            value_source {
              secret_key_ref {
                secret  = google_secret_manager_secret.app[env.key].secret_id
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.readers,
    google_secret_manager_secret_version.generated,
  ]
}
