"""Identity resolution: one person across agencies, provinces and borders (Splink on DuckDB or Spark)."""
