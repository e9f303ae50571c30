import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .client_ip import client_ip, forwarded_hops, peer_address

logger = logging.getLogger(__name__)


@login_required
def home(request):
    """Role-aware landing page: admins go to the admin, others to their dashboard."""
    if request.user.is_admin_role:
        return redirect("admin:index")
    return render(request, "home.html")


@require_GET
@never_cache
def client_ip_check(request):
    """Operators (superusers) verify TRUSTED_PROXY_COUNT: what this request resolved to, and why.

    Everyone else gets 404. See docs/operations.md, "Client IP behind Cloud Run".
    """
    if not (request.user.is_authenticated and request.user.is_superuser):
        raise Http404
    answer = {
        "client_ip": client_ip(request),
        "peer_address": peer_address(request),
        "x_forwarded_for": forwarded_hops(request.META),
        "trusted_proxy_count": settings.TRUSTED_PROXY_COUNT,
    }
    logger.info("client ip check", extra=answer)
    return JsonResponse(answer)


class HttpResponsePermanentRedirectKeepMethod(HttpResponseRedirect):
    """308: like 301, but a browser repeats a POST as a POST (an admin form posted to an old URL)."""

    status_code = 308


def moved_admin_page(request, app: str, model: str, rest: str, moved: dict[tuple[str, str], str]):
    """An admin page of a model that moved to another app (issue 16): the same page under its new app."""
    new_app = moved.get((app, model))
    if new_app is None:
        raise Http404("No such admin page.")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirectKeepMethod(f"/admin/{new_app}/{model}/{rest}" + (f"?{query}" if query else ""))
