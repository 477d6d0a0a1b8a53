"""Read replicas for heavy reads (reports, calendar feeds).

When ``DATABASE_REPLICA_URL`` is set, code that can tolerate replication lag wraps its
reads in ``reads_from_replica()``; everything else - and every write - uses the primary, so a
user always reads what they just wrote."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


@contextmanager
def reads_from_replica():
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and "replica" in settings.DATABASES:
            return "replica"
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
