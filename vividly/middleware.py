"""Client address behind trusted proxies (Cloud Run / the HTTPS load balancer).

Written by hand because it is six lines: django-axes' ipware settings would cover only axes, while
rate limits, the security log and the sessions page all read REMOTE_ADDR. With TRUSTED_PROXY_COUNT
= N, the client is the Nth address from the right of X-Forwarded-For (what the last trusted proxy
saw); entries further left are client-supplied and never trusted. N = 0 (local) ignores the header.
"""

from django.conf import settings


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxy_count = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.proxy_count:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            if len(hops) >= self.proxy_count:
                request.META["REMOTE_ADDR"] = hops[-self.proxy_count]
        return self.get_response(request)
