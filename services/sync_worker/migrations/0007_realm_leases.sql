-- One worker replica at a time sends a QuickBooks company's (realm's) requests, paced in
-- memory (quickbooks/pacer.py). The lease says who; `epoch` fences a holder whose lease was
-- taken over; `history` (send times, DB clock, epoch seconds, the last minute) lets the next
-- holder continue the sliding windows exactly. See quickbooks/realm_leases.py.
CREATE TABLE realm_leases (
    realm_id     text PRIMARY KEY,
    owner        text,                              -- worker_id; NULL = released cleanly
    epoch        bigint NOT NULL DEFAULT 1,
    lease_until  timestamptz NOT NULL,
    prev_until   timestamptz,                       -- lease end of the previous holder
    prev_clean   boolean NOT NULL DEFAULT true,     -- did the previous holder release it?
    history      double precision[] NOT NULL DEFAULT '{}',
    history_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX realm_leases_owner ON realm_leases (owner) WHERE owner IS NOT NULL;
