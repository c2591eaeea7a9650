"""Matching engine: normalised records, the Fellegi-Sunter model (Splink), clusters."""
