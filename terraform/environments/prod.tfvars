project_id      = "vividly-prod"
region          = "us-central1"
environment     = "prod"
container_image = "us-central1-docker.pkg.dev/vividly-prod/vividly-prod/vividly:REPLACE_WITH_RELEASE_SHA"
site_domain     = "vividly.example.org"
cdn_domain      = "cdn.vividly.example.org"

db_tier                  = "db-custom-2-7680"
db_availability_type     = "REGIONAL"
db_disk_size_gb          = 50
db_max_connections       = 200
db_backup_retained_count = 30
db_deletion_protection   = true

redis_tier           = "STANDARD_HA"
redis_memory_size_gb = 1

web_min_instances          = 1
web_max_instances          = 10
worker_min_instances       = 1
worker_max_instances       = 2
heavy_worker_min_instances = 1
heavy_worker_max_instances = 4

connector_min_instances = 2
connector_max_instances = 10

deletion_protection = true
