"""Bearer tokens: the operator token from settings, and tenant-scoped tokens with a role."""
