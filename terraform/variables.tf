variable "project_id" {
  description = "Google Cloud project id."
  type        = string
}

variable "region" {
  description = "Region for Cloud Run, Cloud SQL, Memorystore and the VPC connector."
  type        = string
  default     = "us-central1"
}

variable "environment" {
  description = "dev or prod; names resources and picks environment defaults."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "The environment must be \"dev\" or \"prod\"."
  }
}

variable "container_image" {
  description = "One image for web, worker, beat and the migrate job (Artifact Registry path with tag or digest)."
  type        = string
}

variable "release" {
  description = "Release name reported to Sentry and logs (usually the git sha of the image)."
  type        = string
  default     = ""
}

variable "site_domain" {
  description = "Public host name of the web app (ALLOWED_HOSTS, CSRF origins, SITE_URL)."
  type        = string
}

variable "cdn_domain" {
  description = "Host name served by Cloud CDN for lesson videos; point its DNS A record at the cdn_ip_address output."
  type        = string
}

variable "network_cidr" {
  description = "Primary range of the application subnet."
  type        = string
  default     = "10.10.0.0/24"
}

variable "connector_cidr" {
  description = "/28 range for the Serverless VPC Access connector."
  type        = string
  default     = "10.8.0.0/28"
}

variable "connector_min_instances" {
  type    = number
  default = 2
}

variable "connector_max_instances" {
  type    = number
  default = 3
}

variable "db_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-1-3840"
}

variable "db_version" {
  description = "Cloud SQL PostgreSQL version (pgvector is available on 11+; the app runs CREATE EXTENSION vector in its migrations)."
  type        = string
  default     = "POSTGRES_16"
}

variable "db_availability_type" {
  description = "ZONAL (dev) or REGIONAL (prod, automatic failover)."
  type        = string
  default     = "ZONAL"
}

variable "db_disk_size_gb" {
  type    = number
  default = 20
}

variable "db_max_connections" {
  description = "Cloud SQL max_connections flag; keep above (web instances x gunicorn workers + worker concurrency) x CONN_MAX_AGE pool."
  type        = number
  default     = 100
}

variable "db_backup_retained_count" {
  type    = number
  default = 7
}

variable "db_deletion_protection" {
  type    = bool
  default = true
}

variable "redis_tier" {
  description = "Memorystore tier: BASIC (dev) or STANDARD_HA (prod)."
  type        = string
  default     = "BASIC"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.redis_tier)
    error_message = "The redis_tier must be BASIC or STANDARD_HA."
  }
}

variable "redis_memory_size_gb" {
  description = "Memorystore size in GB."
  type        = number
  default     = 1
}

variable "redis_version" {
  type    = string
  default = "REDIS_7_2"
}

variable "web_min_instances" {
  type    = number
  default = 0
}

variable "web_max_instances" {
  type    = number
  default = 4
}

variable "web_cpu" {
  type    = string
  default = "1"
}

variable "web_memory" {
  type    = string
  default = "2Gi"
}

variable "worker_min_instances" {
  type    = number
  default = 1
}

variable "worker_max_instances" {
  type    = number
  default = 2
}

variable "worker_cpu" {
  type    = string
  default = "1"
}

variable "worker_memory" {
  type    = string
  default = "2Gi"
}

variable "worker_concurrency" {
  description = "Light worker (default queue: e-mails, sweeps, retention)."
  type        = number
  default     = 2
}

variable "heavy_worker_min_instances" {
  type    = number
  default = 1
}

variable "heavy_worker_max_instances" {
  type    = number
  default = 2
}

variable "heavy_worker_cpu" {
  description = "Heavy worker (generation and ingestion queues: rendering, embedding)."
  type        = string
  default     = "2"
}

variable "heavy_worker_memory" {
  description = "The heavy worker loads the embedding model and renders video: give it room."
  type        = string
  default     = "4Gi"
}

variable "heavy_worker_concurrency" {
  description = "Lessons rendered at once per heavy instance (each uses ffmpeg and the voice model)."
  type        = number
  default     = 1
}

variable "media_bucket_location" {
  type    = string
  default = "US"
}

variable "media_public_read" {
  description = "Let Cloud CDN read lesson videos anonymously (object names are unguessable). Set false and use signed URLs to keep the bucket private."
  type        = bool
  default     = true
}

variable "cdn_default_ttl" {
  description = "Default CDN TTL in seconds (24 h)."
  type        = number
  default     = 86400
}

variable "cdn_max_ttl" {
  description = "Maximum CDN TTL in seconds (30 days)."
  type        = number
  default     = 2592000
}

variable "cdn_serve_while_stale" {
  description = "Serve stale content for this many seconds while revalidating or when the origin fails (24 h)."
  type        = number
  default     = 86400
}

variable "cdn_negative_cache_ttl" {
  description = "TTL in seconds for cached 404/410 answers."
  type        = number
  default     = 120
}

variable "sentry_dsn" {
  description = "Sentry DSN; empty disables Sentry. Stored in Secret Manager."
  type        = string
  default     = ""
  sensitive   = true
}

variable "ai_region" {
  description = "Region of every Vertex AI call (Gemini, image model, embeddings, Vector Search): the district's data region. Empty: var.region."
  type        = string
  default     = ""
}

variable "tts_location" {
  description = "Cloud Text-to-Speech regional endpoint: \"eu\", \"us\" or \"\" (global)."
  type        = string
  default     = ""
  validation {
    condition     = contains(["", "eu", "us"], var.tts_location)
    error_message = "tts_location is \"eu\", \"us\" or empty."
  }
}

variable "retrieval_backend" {
  description = "Dense retrieval: \"pgvector\" or \"vertex_vector_search\" (the index in vector_search.tf serves it)."
  type        = string
  default     = "vertex_vector_search"
  validation {
    condition     = contains(["pgvector", "vertex_vector_search"], var.retrieval_backend)
    error_message = "retrieval_backend is pgvector or vertex_vector_search."
  }
}

variable "vector_search_replicas" {
  description = "Minimum and maximum replicas of the deployed Vector Search index."
  type        = object({ min = number, max = number })
  default     = { min = 1, max = 2 }
}

variable "deletion_protection" {
  description = "Protect Cloud Run services from terraform destroy."
  type        = bool
  default     = true
}

variable "labels" {
  type    = map(string)
  default = {}
}
