"""REST API root: routing, token authentication and the OpenAPI schema."""
