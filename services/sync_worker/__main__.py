"""`python -m services.sync_worker` runs one worker replica."""

import asyncio

from services.sync_worker.entrypoints.worker_app import build_app

if __name__ == "__main__":
    asyncio.run(build_app().run())
