def live(request):
    """`live_now`: the server time a page was rendered at, where its live updates resume."""
    from apps.core.live import now_ms

    return {"live_now": now_ms()}
