"""Celery tasks of the consultations feature (ids in, idempotent, JSON)."""
