"""Nothing registered: cases and persons hold encrypted identity fields, masked by role and
audited on every read and write. The registry's pages and API do that; the admin would not."""
