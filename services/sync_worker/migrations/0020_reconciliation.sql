-- Reconciliation runs requested by the gateway (or MediaOS core). Replicas claim queued runs
-- with FOR UPDATE SKIP LOCKED; a lease returns a dead replica's run to the queue.
CREATE TABLE reconciliation_runs (
    reconciliation_id uuid PRIMARY KEY,
    tenant_id         text NOT NULL,
    requested_by      text NOT NULL,
    trigger           text NOT NULL,
    state             text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'running', 'done')),
    attempts          integer NOT NULL DEFAULT 0,
    lease_until       timestamptz,
    leased_by         text,
    outcome           text,
    requested_at      timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
CREATE INDEX reconciliation_runs_ready ON reconciliation_runs (requested_at)
    WHERE state <> 'done';

-- The ledger is kept per QuickBooks company. `invoice_ledger` holds the rows of the realm
-- the tenant is connected to now; when a tenant connects to another realm, its rows move
-- here (nothing is lost) and the rows it had for the new realm, if any, come back. Without
-- this, the sync would read another company's invoice Ids after a switch.
CREATE TABLE invoice_ledger_archive (
    LIKE invoice_ledger INCLUDING DEFAULTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, realm_id, invoice_id)
);

CREATE FUNCTION switch_ledger_realm() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.realm_id = NEW.realm_id THEN
        RETURN NEW;
    END IF;
    INSERT INTO invoice_ledger_archive AS a (tenant_id, invoice_id, realm_id, generation, external_id, external_number,
               sync_token, synced_version, status, fingerprint, last_inbound_token,
               last_synced_at, updated_at, create_pending)
        SELECT tenant_id, invoice_id, realm_id, generation, external_id, external_number,
               sync_token, synced_version, status, fingerprint, last_inbound_token,
               last_synced_at, updated_at, create_pending
        FROM invoice_ledger
        WHERE tenant_id = NEW.tenant_id AND realm_id <> NEW.realm_id
    ON CONFLICT (tenant_id, realm_id, invoice_id) DO UPDATE SET
        generation = EXCLUDED.generation, external_id = EXCLUDED.external_id,
        external_number = EXCLUDED.external_number, sync_token = EXCLUDED.sync_token,
        synced_version = EXCLUDED.synced_version, status = EXCLUDED.status,
        fingerprint = EXCLUDED.fingerprint, last_inbound_token = EXCLUDED.last_inbound_token,
        last_synced_at = EXCLUDED.last_synced_at, updated_at = EXCLUDED.updated_at,
        create_pending = EXCLUDED.create_pending, archived_at = now();
    DELETE FROM invoice_ledger
        WHERE tenant_id = NEW.tenant_id AND realm_id <> NEW.realm_id;
    INSERT INTO invoice_ledger (tenant_id, invoice_id, realm_id, generation, external_id, external_number,
               sync_token, synced_version, status, fingerprint, last_inbound_token,
               last_synced_at, updated_at, create_pending)
        SELECT tenant_id, invoice_id, realm_id, generation, external_id, external_number,
               sync_token, synced_version, status, fingerprint, last_inbound_token,
               last_synced_at, updated_at, create_pending
        FROM invoice_ledger_archive
        WHERE tenant_id = NEW.tenant_id AND realm_id = NEW.realm_id
    ON CONFLICT (tenant_id, invoice_id) DO NOTHING;
    DELETE FROM invoice_ledger_archive
        WHERE tenant_id = NEW.tenant_id AND realm_id = NEW.realm_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER quickbooks_connections_switch_ledger
    AFTER INSERT OR UPDATE OF realm_id ON quickbooks_connections
    FOR EACH ROW EXECUTE FUNCTION switch_ledger_realm();
