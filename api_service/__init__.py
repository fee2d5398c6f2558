"""The REST API for drivers (and, next, operators): Flask app factory, blueprints, auth.

Production: `gunicorn -k gthread --threads 8 -w 2 'api_service:create_app()'` (threads let
SSE streams wait without holding a worker process). Development: `parking-api`.
"""

from api_service.app import create_app

__all__ = ["create_app"]
