"""Identity resolution: one person across agencies, provinces and borders."""
