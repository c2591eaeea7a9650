"""Nothing registered: the linkage app keeps no records of its own (matching runs in memory)."""
