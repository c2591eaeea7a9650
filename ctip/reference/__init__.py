"""Reference data: provinces, countries and controlled vocabularies (HTCDS 2.0)."""
