"""Case management on the registry's cases: the caseworker, notes, follow-up visits and
transfer to another agency (like Primero and CPIMS+). Imports nothing at its top: the
registry's models module imports its models."""
