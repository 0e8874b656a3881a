"""Local QuickBooks Online (QBO) v3 API sandbox for tests.

Run it with `python -m services.quickbooks_sandbox --port 8765`, or in-process with
`create_app(SandboxConfig())`. It serves the QBO wire format under `/v3/company/{realmId}`,
the OAuth token endpoint `/oauth2/v1/tokens/bearer` and an admin API under `/_sandbox`.
See README.md in this folder for the admin API, options, and what is (not) reproduced.
"""

from .app import create_app
from .config import SandboxConfig

__all__ = ["SandboxConfig", "create_app"]
