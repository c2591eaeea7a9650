"""Data exchange: imports of spreadsheets and ODK/Kobo forms, exports in HTCDS and CTDC layouts."""
