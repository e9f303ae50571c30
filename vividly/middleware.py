"""Client address behind trusted proxies (Cloud Run's front end; see vividly/client_ip.py)."""

from .client_ip import PEER_KEY, client_ip


class TrustedProxyMiddleware:
    """Resolve the client address once, first thing, and put it in REMOTE_ADDR.

    Our code reads `client_ip(request)`; REMOTE_ADDR is rewritten too so that library code reading
    it directly (Sentry, Django's own messages) sees the same address. The socket address stays
    available under `PEER_KEY`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.setdefault(PEER_KEY, request.META.get("REMOTE_ADDR", ""))
        request.META["REMOTE_ADDR"] = client_ip(request) or ""
        return self.get_response(request)
