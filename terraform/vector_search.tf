# Vertex AI Vector Search (issue 19): the managed index that RETRIEVAL_BACKEND=vertex_vector_search
# reads. One datapoint per active chunk (768-dim text-embedding-005 vectors, cosine), restricts for
# version/book/subject/chapter/module and the section as crowding tag; ingestion streams upserts
# (STREAM_UPDATE), so no batch files in a bucket. A public endpoint; only the web and worker service
# accounts may query it (roles/aiplatform.user in iam.tf). While the index is building, searches fall
# back to pgvector (breaker "vertex_vector_search"); `manage.py vector_index sync` fills it afterwards.

locals {
  ai_region          = var.ai_region != "" ? var.ai_region : var.region
  deployed_index_id  = replace("${local.name}_chunks", "-", "_")
  vector_search_used = var.retrieval_backend == "vertex_vector_search"
}

resource "google_vertex_ai_index" "chunks" {
  count = local.vector_search_used ? 1 : 0

  region              = local.ai_region
  display_name        = "${local.name}-chunks"
  description         = "Textbook passages (one datapoint per active chunk) for section search."
  index_update_method = "STREAM_UPDATE"
  labels              = local.labels

  metadata {
    config {
      dimensions                  = 768
      approximate_neighbors_count = 150
      distance_measure_type       = "COSINE_DISTANCE"
      feature_norm_type           = "UNIT_L2_NORM"
      shard_size                  = "SHARD_SIZE_SMALL"
      algorithm_config {
        tree_ah_config {
          leaf_node_embedding_count    = 500
          leaf_nodes_to_search_percent = 10
        }
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_vertex_ai_index_endpoint" "chunks" {
  count = local.vector_search_used ? 1 : 0

  region                  = local.ai_region
  display_name            = "${local.name}-chunks"
  description             = "Serves the chunks index to the web and worker services."
  public_endpoint_enabled = true
  labels                  = local.labels

  depends_on = [google_project_service.apis]
}

resource "google_vertex_ai_index_endpoint_deployed_index" "chunks" {
  count = local.vector_search_used ? 1 : 0

  index_endpoint    = google_vertex_ai_index_endpoint.chunks[0].id
  index             = google_vertex_ai_index.chunks[0].id
  deployed_index_id = local.deployed_index_id
  display_name      = "${local.name}-chunks"

  dedicated_resources {
    machine_spec {
      machine_type = "e2-standard-2"
    }
    min_replica_count = var.vector_search_replicas.min
    max_replica_count = var.vector_search_replicas.max
  }
}
