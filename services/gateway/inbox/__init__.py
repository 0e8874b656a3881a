"""The error inbox: the latest state of every invoice of a tenant, and retrying by filter."""
