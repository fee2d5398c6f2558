"""Deployment: Dockerfiles, Compose and Nginx configuration, the local (no-Docker) stack."""
