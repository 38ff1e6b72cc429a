# The Celery app is loaded with Django, so tasks enqueued by the web process use its settings.
from config.celery import app as celery_app

__all__ = ("celery_app",)
