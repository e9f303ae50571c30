# Media bucket: generated lesson videos, captions and images, served through Cloud CDN (cdn.tf).

resource "google_storage_bucket" "media" {
  name                        = "${var.project_id}-${local.name}-media"
  location                    = var.media_bucket_location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = var.media_public_read ? "inherited" : "enforced"
  force_destroy               = false
  labels                      = local.labels

  versioning {
    enabled = false
  }

  cors {
    origin          = ["https://${var.site_domain}"]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type", "Range", "Accept-Ranges", "Content-Range"]
    max_age_seconds = 3600
  }

  lifecycle_rule {
    condition {
      age            = 30
      matches_prefix = ["tmp/"]
    }
    action {
      type = "Delete"
    }
  }
}

# Cloud CDN fetches objects anonymously unless signed URLs are configured.
resource "google_storage_bucket_iam_member" "media_public_read" {
  count = var.media_public_read ? 1 : 0

  bucket = google_storage_bucket.media.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
