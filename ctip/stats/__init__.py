"""Statistics: indicator catalogue, reports, estimates of the unknown, privacy-safe releases."""
