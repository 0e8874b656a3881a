-- Who really sent a batch: the authenticated principal (operator, token id and role, or the
-- page token and who minted it). `requested_by` stays beside it as a free label.
ALTER TABLE push_batches ADD COLUMN requested_principal text;
