project_id      = "vividly-dev"
region          = "us-central1"
environment     = "dev"
container_image = "us-central1-docker.pkg.dev/vividly-dev/vividly-dev/vividly:latest"
site_domain     = "dev.vividly.example.org"
cdn_domain      = "cdn.dev.vividly.example.org"

db_tier                  = "db-custom-1-3840"
db_availability_type     = "ZONAL"
db_disk_size_gb          = 20
db_backup_retained_count = 7
db_deletion_protection   = false

redis_tier           = "BASIC"
redis_memory_size_gb = 1

web_min_instances          = 0
web_max_instances          = 2
worker_min_instances       = 1
worker_max_instances       = 1
heavy_worker_min_instances = 1
heavy_worker_max_instances = 1

connector_min_instances = 2
connector_max_instances = 3

deletion_protection = false
