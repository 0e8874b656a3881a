"""The newest MediaOS snapshot of every invoice, whatever the tenant's mode."""
