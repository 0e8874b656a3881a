"""QuickBooks webhooks: signature check, payload forms, routing by realm to tenants."""
