"""Container entry points (copied into the images by infra/docker/Dockerfile)."""
