"""Who and from where, for the audit trail and the access log.

PostgreSQL: every request runs in a `pghistory.context` naming the user, the path, the
method and the client's address (the proxy's header when CLIENT_IP_HEADER names one, and
the socket's address); the triggers attach it to each history row the request writes. The
API's user is known only after DRF authenticates, in the view: pghistory's request class
updates the context when `request.user` is set, which DRF does on the Django request too.

Both databases: the personal-data accesses the request noted (apps.core.history.note_access)
are written in one INSERT after the response, whatever the number of rows shown.
"""

from django.db import connection
from pghistory.middleware import HistoryMiddleware

from apps.accounts.services import client_address
from apps.core.history import pending_accesses

from .models import PersonalDataAccess


class AuditMiddleware(HistoryMiddleware):
    def get_context(self, request) -> dict:
        context = super().get_context(request)
        context.update(
            method=request.method,
            ip=client_address(request),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        return context

    def __call__(self, request):
        if connection.vendor == "postgresql":
            response = super().__call__(request)
        else:  # SQLite: no triggers to read a context (and no set_config to write one)
            response = self.get_response(request)
        entries = pending_accesses(request)
        if entries and response.status_code < 400:
            PersonalDataAccess.objects.bulk_create(PersonalDataAccess(**entry) for entry in entries)
        return response
