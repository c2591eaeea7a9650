"""Public reports with receipt codes, the hotline log, the triage queue and grouping of reports."""
