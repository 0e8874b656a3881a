-- What a person recognises a batch's invoice by, copied from its result events (null until
-- a result that carries them arrives; older events carry none).
ALTER TABLE push_batch_invoices
    ADD COLUMN number        text,
    ADD COLUMN customer_name text,
    ADD COLUMN amount        numeric,
    ADD COLUMN currency      text;
