"""Identifiers, organisations and compounds shared across cases; networks, sanctions, ads."""
