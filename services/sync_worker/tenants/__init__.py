"""Per-tenant settings (mode, number prefix, conflict policy) and product mappings."""
