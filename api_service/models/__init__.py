"""Request and response models of the REST API (pydantic; also the OpenAPI schemas)."""
