-- Batch history pages newest first per tenant (keyset on started_at, batch_id).
DROP INDEX IF EXISTS push_batches_tenant;
CREATE INDEX push_batches_tenant ON push_batches (tenant_id, started_at DESC, batch_id DESC);
CREATE INDEX push_batches_open ON push_batches (started_at DESC) WHERE completed_at IS NULL;
