# Cloud CDN for lesson videos: global IP -> HTTPS proxy (Google-managed certificate for
# var.cdn_domain) -> URL map -> backend bucket (media bucket) with CDN and compression. Port 80 only
# redirects to HTTPS.

resource "google_compute_global_address" "cdn" {
  name = "${local.name}-cdn-ip"

  depends_on = [google_project_service.apis]
}

resource "google_compute_backend_bucket" "media" {
  name             = "${local.name}-media-cdn"
  description      = "Lesson videos from the media bucket through Cloud CDN."
  bucket_name      = google_storage_bucket.media.name
  enable_cdn       = true
  compression_mode = "AUTOMATIC"

  cdn_policy {
    cache_mode         = "CACHE_ALL_STATIC"
    default_ttl        = var.cdn_default_ttl
    max_ttl            = var.cdn_max_ttl
    client_ttl         = var.cdn_default_ttl
    serve_while_stale  = var.cdn_serve_while_stale
    request_coalescing = true
    negative_caching   = true

    negative_caching_policy {
      code = 404
      ttl  = var.cdn_negative_cache_ttl
    }

    negative_caching_policy {
      code = 410
      ttl  = var.cdn_negative_cache_ttl
    }
  }
}

resource "google_compute_managed_ssl_certificate" "cdn" {
  name = "${local.name}-cdn-cert"

  managed {
    domains = [var.cdn_domain]
  }
}

resource "google_compute_url_map" "cdn" {
  name            = "${local.name}-cdn"
  default_service = google_compute_backend_bucket.media.id
}

resource "google_compute_target_https_proxy" "cdn" {
  name             = "${local.name}-cdn-https"
  url_map          = google_compute_url_map.cdn.id
  ssl_certificates = [google_compute_managed_ssl_certificate.cdn.id]
}

resource "google_compute_global_forwarding_rule" "cdn_https" {
  name                  = "${local.name}-cdn-https"
  ip_address            = google_compute_global_address.cdn.address
  ip_protocol           = "TCP"
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  target                = google_compute_target_https_proxy.cdn.id
}

resource "google_compute_url_map" "cdn_http_redirect" {
  name = "${local.name}-cdn-http-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "cdn_http_redirect" {
  name    = "${local.name}-cdn-http"
  url_map = google_compute_url_map.cdn_http_redirect.id
}

resource "google_compute_global_forwarding_rule" "cdn_http" {
  name                  = "${local.name}-cdn-http"
  ip_address            = google_compute_global_address.cdn.address
  ip_protocol           = "TCP"
  port_range            = "80"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  target                = google_compute_target_http_proxy.cdn_http_redirect.id
}
