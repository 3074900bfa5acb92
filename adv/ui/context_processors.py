def shell(request):
    """Tenant, membership and navigation for the layout."""
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
    }
