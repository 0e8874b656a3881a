"""Mirroring invoices, as decide -> act -> one `Completion` per unit of work.

`executor` claims units (`work_items`) and commits each completion with the unit's end
(`finisher` groups those commits; `overdue` cancels a unit stuck past any bounded wait);
`outbound/` runs MediaOS -> QuickBooks units, `inbound` QuickBooks -> MediaOS ones (webhooks
and CDC sweeps); `completion`/`completions` are the typed result of a unit; `ports` are the
Protocols the core depends on and `store` their PostgreSQL adapters; `ledger`, `work_items`
and `cdc_state` hold the SQL of their tables; `domain/` holds the pure rules."""
