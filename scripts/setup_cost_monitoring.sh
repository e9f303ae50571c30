#!/usr/bin/env bash
# Cost monitoring for one Vividly environment on Google Cloud:
#   - a monthly billing budget with e-mail alerts at 50/75/90/100 % (and 100 % forecast),
#   - alert policies: Cloud Run CPU, Cloud SQL connections, Memorystore Redis memory,
#   - a Cloud Monitoring dashboard of the cost drivers.
#
# Usage: scripts/setup_cost_monitoring.sh <dev|prod> <monthly_budget_usd> [--dry-run]
# Environment:
#   GOOGLE_CLOUD_PROJECT  project id (default: vividly-<env>)
#   BILLING_ACCOUNT_ID    billing account, e.g. 012345-6789AB-CDEF01 (required unless --dry-run)
#   ALERT_EMAILS          comma-separated recipients (required unless --dry-run)
#   DB_MAX_CONNECTIONS    Cloud SQL max_connections (default 100; alert at 80 %)
#   COST_MONITORING_OUT   directory for the generated policy/dashboard JSON (default: a temp dir)
# --dry-run prints every gcloud command instead of running it (the JSON files are still written).
set -euo pipefail

readonly THRESHOLDS=(0.50 0.75 0.90 1.00)

usage() {
  echo "usage: $(basename "$0") <dev|prod> <monthly_budget_usd> [--dry-run]" >&2
  exit 2
}

die() {
  echo "error: $*" >&2
  exit 2
}

DRY_RUN=0
POSITIONAL=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    -h | --help) usage ;;
    -*) die "unknown option: $arg" ;;
    *) POSITIONAL+=("$arg") ;;
  esac
done
[[ ${#POSITIONAL[@]} -eq 2 ]] || usage

ENVIRONMENT="${POSITIONAL[0]}"
BUDGET="${POSITIONAL[1]}"
[[ "$ENVIRONMENT" == "dev" || "$ENVIRONMENT" == "prod" ]] || die "environment must be dev or prod, not '$ENVIRONMENT'"
[[ "$BUDGET" =~ ^[0-9]+([.][0-9]{1,2})?$ ]] || die "monthly budget must be a positive amount in USD, not '$BUDGET'"
awk -v b="$BUDGET" 'BEGIN { exit !(b > 0) }' || die "monthly budget must be greater than zero"

PROJECT="${GOOGLE_CLOUD_PROJECT:-vividly-$ENVIRONMENT}"
NAME="vividly-$ENVIRONMENT"
DB_MAX_CONNECTIONS="${DB_MAX_CONNECTIONS:-100}"
[[ "$DB_MAX_CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "DB_MAX_CONNECTIONS must be a positive integer"
DB_CONNECTIONS_ALERT=$((DB_MAX_CONNECTIONS * 80 / 100))

if [[ $DRY_RUN -eq 1 ]]; then
  BILLING_ACCOUNT="${BILLING_ACCOUNT_ID:-BILLING_ACCOUNT_ID}"
  EMAILS="${ALERT_EMAILS:-ops@example.org}"
else
  BILLING_ACCOUNT="${BILLING_ACCOUNT_ID:?set BILLING_ACCOUNT_ID (gcloud billing accounts list)}"
  EMAILS="${ALERT_EMAILS:?set ALERT_EMAILS (comma-separated)}"
  command -v gcloud >/dev/null || die "gcloud is not installed (https://cloud.google.com/sdk)"
fi
[[ "$BILLING_ACCOUNT" =~ ^[A-Za-z0-9_-]+$ ]] || die "BILLING_ACCOUNT_ID looks wrong: '$BILLING_ACCOUNT'"
IFS=',' read -r -a EMAIL_LIST <<<"$EMAILS"
for email in "${EMAIL_LIST[@]}"; do
  [[ "$email" =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] || die "not an e-mail address: '$email'"
done

OUT="${COST_MONITORING_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"

# Run a command, or print it (shell-quoted) in dry-run mode.
run() {
  if [[ $DRY_RUN -eq 1 ]]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# Like run, but stores the command's output (a resource name) in the variable named by $1; in
# dry-run mode the command is printed and the placeholder $2 stored instead.
run_capture() {
  local target="$1" placeholder="$2" value
  shift 2
  if [[ $DRY_RUN -eq 1 ]]; then
    run "$@"
    value="$placeholder"
  else
    value=$("$@")
  fi
  printf -v "$target" '%s' "$value"
}

echo "Cost monitoring for $NAME (project $PROJECT), budget \$$BUDGET/month" >&2
if [[ $DRY_RUN -eq 1 ]]; then
  echo "(dry run: printing commands, running nothing)" >&2
fi

# --- 1. e-mail notification channels ------------------------------------------------------------
CHANNELS=()
index=0
for email in "${EMAIL_LIST[@]}"; do
  index=$((index + 1))
  run_capture channel "projects/$PROJECT/notificationChannels/DRY_RUN_$index" \
    gcloud beta monitoring channels create \
    --project="$PROJECT" \
    --display-name="$NAME cost alerts ($email)" \
    --type=email \
    --channel-labels="email_address=$email" \
    --format='value(name)'
  CHANNELS+=("$channel")
done
CHANNEL_CSV=$(IFS=','; echo "${CHANNELS[*]}")
CHANNEL_JSON=$(printf '"%s",' "${CHANNELS[@]}")
CHANNEL_JSON="[${CHANNEL_JSON%,}]"

# --- 2. billing budget: actual spend at 50/75/90/100 %, forecast at 100 % -----------------------
THRESHOLD_ARGS=()
for percent in "${THRESHOLDS[@]}"; do
  THRESHOLD_ARGS+=("--threshold-rule=percent=$percent")
done
THRESHOLD_ARGS+=("--threshold-rule=percent=1.00,basis=forecasted-spend")

run gcloud billing budgets create \
  --billing-account="$BILLING_ACCOUNT" \
  --display-name="$NAME monthly budget" \
  --budget-amount="${BUDGET}USD" \
  --calendar-period=month \
  --filter-projects="projects/$PROJECT" \
  "${THRESHOLD_ARGS[@]}" \
  --notifications-rule-monitoring-notification-channels="$CHANNEL_CSV"

# --- 3. alert policies ----------------------------------------------------------------------------
write_policy() {
  local file="$1" display="$2" filter="$3" aligner="$4" threshold="$5" doc="$6"
  cat >"$file" <<JSON
{
  "displayName": "$NAME: $display",
  "combiner": "OR",
  "notificationChannels": $CHANNEL_JSON,
  "documentation": {"content": "$doc See docs/operations.md.", "mimeType": "text/markdown"},
  "conditions": [
    {
      "displayName": "$display",
      "conditionThreshold": {
        "filter": "$filter",
        "comparison": "COMPARISON_GT",
        "thresholdValue": $threshold,
        "duration": "300s",
        "aggregations": [{"alignmentPeriod": "300s", "perSeriesAligner": "$aligner"}],
        "trigger": {"count": 1}
      }
    }
  ],
  "alertStrategy": {"autoClose": "86400s"}
}
JSON
}

write_policy "$OUT/alert-cloud-run-cpu.json" "Cloud Run CPU above 80%" \
  "resource.type = \\\"cloud_run_revision\\\" AND resource.labels.service_name = starts_with(\\\"$NAME\\\") AND metric.type = \\\"run.googleapis.com/container/cpu/utilizations\\\"" \
  "ALIGN_PERCENTILE_99" 0.8 \
  "Cloud Run containers are CPU-bound: check worker backlog and max instances."
write_policy "$OUT/alert-cloud-sql-connections.json" "Cloud SQL connections above 80% of max" \
  "resource.type = \\\"cloudsql_database\\\" AND resource.labels.database_id = starts_with(\\\"$PROJECT:$NAME\\\") AND metric.type = \\\"cloudsql.googleapis.com/database/postgresql/num_backends\\\"" \
  "ALIGN_MAX" "$DB_CONNECTIONS_ALERT" \
  "Connections near max_connections ($DB_MAX_CONNECTIONS): lower CONN_MAX_AGE or instances, or raise db_max_connections."
write_policy "$OUT/alert-redis-memory.json" "Redis memory above 80%" \
  "resource.type = \\\"redis_instance\\\" AND resource.labels.instance_id = has_substring(\\\"$NAME\\\") AND metric.type = \\\"redis.googleapis.com/stats/memory/usage_ratio\\\"" \
  "ALIGN_MAX" 0.8 \
  "Memorystore is filling up: check broker queue length, cache keys, or raise redis_memory_size_gb."

for policy in "$OUT"/alert-*.json; do
  run gcloud alpha monitoring policies create --project="$PROJECT" --policy-from-file="$policy"
done

# --- 4. cost dashboard ----------------------------------------------------------------------------
chart() {
  local title="$1" filter="$2" aligner="$3" reducer="$4"
  cat <<JSON
{"title": "$title", "xyChart": {"dataSets": [{"plotType": "LINE", "timeSeriesQuery": {"timeSeriesFilter": {"filter": "$filter", "aggregation": {"alignmentPeriod": "3600s", "perSeriesAligner": "$aligner", "crossSeriesReducer": "$reducer"}}}}]}}
JSON
}

{
  cat <<JSON
{
  "displayName": "$NAME costs",
  "mosaicLayout": {
    "columns": 12,
    "tiles": [
      {"xPos": 0, "yPos": 0, "width": 12, "height": 2, "widget": {"title": "Reading costs", "text": {"format": "MARKDOWN", "content": "Budget: \$$BUDGET/month for project $PROJECT. Exact spend: Billing > Reports (group by service), or the BigQuery billing export. These charts show the drivers: Cloud Run instance time, Cloud SQL CPU, Redis memory, CDN egress, storage, Vertex AI calls. See docs/operations.md."}}},
JSON
  printf '      {"xPos": 0, "yPos": 2, "width": 6, "height": 4, "widget": %s},\n' \
    "$(chart "Cloud Run billable instance time (s)" "resource.type = \\\"cloud_run_revision\\\" AND metric.type = \\\"run.googleapis.com/container/billable_instance_time\\\"" ALIGN_RATE REDUCE_SUM)"
  printf '      {"xPos": 6, "yPos": 2, "width": 6, "height": 4, "widget": %s},\n' \
    "$(chart "Cloud SQL CPU utilisation" "resource.type = \\\"cloudsql_database\\\" AND metric.type = \\\"cloudsql.googleapis.com/database/cpu/utilization\\\"" ALIGN_MEAN REDUCE_MAX)"
  printf '      {"xPos": 0, "yPos": 6, "width": 6, "height": 4, "widget": %s},\n' \
    "$(chart "Redis memory usage ratio" "resource.type = \\\"redis_instance\\\" AND metric.type = \\\"redis.googleapis.com/stats/memory/usage_ratio\\\"" ALIGN_MAX REDUCE_MAX)"
  printf '      {"xPos": 6, "yPos": 6, "width": 6, "height": 4, "widget": %s},\n' \
    "$(chart "CDN / load balancer egress (bytes)" "resource.type = \\\"https_lb_rule\\\" AND metric.type = \\\"loadbalancing.googleapis.com/https/response_bytes_count\\\"" ALIGN_RATE REDUCE_SUM)"
  printf '      {"xPos": 0, "yPos": 10, "width": 6, "height": 4, "widget": %s},\n' \
    "$(chart "Media bucket size (bytes)" "resource.type = \\\"gcs_bucket\\\" AND metric.type = \\\"storage.googleapis.com/storage/total_bytes\\\"" ALIGN_MEAN REDUCE_SUM)"
  printf '      {"xPos": 6, "yPos": 10, "width": 6, "height": 4, "widget": %s}\n' \
    "$(chart "Vertex AI model invocations" "resource.type = \\\"aiplatform.googleapis.com/PublisherModel\\\" AND metric.type = \\\"aiplatform.googleapis.com/publisher/online_serving/model_invocation_count\\\"" ALIGN_RATE REDUCE_SUM)"
  cat <<JSON
    ]
  }
}
JSON
} >"$OUT/dashboard-costs.json"

run gcloud monitoring dashboards create --project="$PROJECT" --config-from-file="$OUT/dashboard-costs.json"

echo "Done. Generated files: $OUT" >&2
