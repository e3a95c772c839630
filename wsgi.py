"""Entry point for WSGI servers and the Celery worker.

celery -A wsgi.celery worker      celery -A wsgi.celery beat
"""

from participation import create_app
from participation.extensions import celery  # noqa: F401  (Celery looks it up here)

app = create_app()
