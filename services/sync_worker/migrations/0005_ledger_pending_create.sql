-- Set just before a create is sent to QuickBooks and cleared when its result is recorded:
-- a later unit then knows an earlier create may exist and looks for it by DocNumber.
ALTER TABLE invoice_ledger ADD COLUMN create_pending boolean NOT NULL DEFAULT false;
