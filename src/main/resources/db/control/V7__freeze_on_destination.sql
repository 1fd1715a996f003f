-- The destination keeps the ledger of its own freeze (a turned-around mapping rolled back freezes
-- the applications there), in the same shape as a source's: the instance is the server the table
-- is on, so its name is not needed.
ALTER TABLE pgferry.freeze_change ALTER COLUMN source DROP NOT NULL;
