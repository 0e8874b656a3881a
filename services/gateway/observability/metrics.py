"""The gateway's Prometheus metrics (default registry, served at /metrics)."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import Message, Receive, Scope, Send

from services.gateway.http.asgi_middleware import HttpMiddleware

HTTP_REQUESTS = Counter(
    "gateway_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "gateway_http_request_seconds", "Time to the response head.", ["method", "route"]
)
SSE_CLIENTS = Gauge("gateway_sse_clients", "Open server-sent event streams.")
SSE_READS = Counter(
    "gateway_sse_reads_total",
    "Reads for SSE streams: `feed` = a batch's shared feed read its row and changes (first "
    "read or NOTIFY), whatever its number of streams; `feed_refresh` = the same on a timer "
    "(GATEWAY_SSE_KEEPALIVE_SECONDS); `catch_up` = a page read by a stream behind its feed.",
    ["reader"],
)
RESULTS_CONSUMED = Counter("gateway_results_consumed_total", "Result events consumed.")
CONSUMER_LAG = Gauge(
    "gateway_consumer_lag",
    "Records the gateway's consumer group is behind the end of each partition.",
    ["topic", "partition"],
)
WEBHOOKS = Counter(
    "gateway_webhook_notifications_total", "QuickBooks webhook outcomes.", ["outcome"]
)


class RequestMetrics(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()

        async def send_and_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The route template, not the path: ids would make unbounded label values.
                route = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                HTTP_REQUESTS.labels(method, route, str(message["status"])).inc()
                HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, send_and_count)
