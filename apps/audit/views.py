"""The audit pages: an object's history, and the personal-data access log for
administrators ("who looked at this person", "whom this user looked at")."""

from urllib.parse import urlencode

from django.shortcuts import render

from apps.core.errors import NotFound
from apps.core.history import object_history
from apps.core.pagination import paginate
from apps.core.views import page

from . import selectors

PAGE_SIZE = 50


@page
def history(request, label: str, pk: int):
    obj = selectors.tracked_object(request.user, label, pk)
    rows = object_history(request, obj)
    if rows is None:
        raise NotFound()
    kind = next((k for k, v in selectors.SUBJECTS.items() if v == label), None)
    context = {
        "object": obj,
        "history": rows,
        "verbose_name": obj._meta.verbose_name,
        "access_kind": kind if kind and selectors.is_auditor(request.user) else None,
    }
    return render(request, "audit/history.html", context)


@page
def access_log(request):
    if not selectors.is_auditor(request.user):
        raise NotFound()
    kind = request.GET.get("type", "")
    pk = request.GET.get("id", "")
    username = request.GET.get("viewer", "").replace("\x00", "").strip()
    subject = viewer = None
    rows = None
    if kind and pk:
        subject, rows = selectors.accesses_to(request.user, kind, pk)
    elif username:
        viewer, rows = selectors.accesses_by(request.user, username)
    page_obj = None
    if rows is not None:
        page_obj = paginate(request, rows, PAGE_SIZE)
    entries = list(page_obj) if page_obj is not None else []
    labels = selectors.subject_labels(request.user, entries)
    for entry in entries:
        entry.subject_label = labels.get((entry.subject_type_id, entry.subject_id), "")
    context = {
        "subjects": selectors.SUBJECTS,
        "kind": kind,
        "pk": pk,
        "username": username,
        "subject": subject,
        "viewer": viewer,
        "page": page_obj,
        "entries": entries,
        "query": urlencode({"type": kind, "id": pk} if subject else {"viewer": username}),
    }
    return render(request, "audit/access_log.html", context)
