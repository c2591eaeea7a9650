"""The matching engine: record normalisation, the Fellegi-Sunter model (Splink) and clustering, free of Django models."""
