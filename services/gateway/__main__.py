"""`python -m services.gateway` serves the gateway HTTP API (host/port from settings)."""

import uvicorn

from services.gateway.entrypoints.gateway_app import build_app
from services.gateway.settings import GatewaySettings

if __name__ == "__main__":
    settings = GatewaySettings()
    uvicorn.run(
        build_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="warning",
        log_config=None,  # configure_logging already routes uvicorn through structlog
        timeout_graceful_shutdown=10,
    )
