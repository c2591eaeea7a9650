"""Nothing registered: the trail is read on the audit pages, which scope and audit every read;
the admin would show every event unaudited and could edit the append-only, hash-chained log."""
