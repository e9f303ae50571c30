"""Feature flags (filled in by the flags issue)."""
