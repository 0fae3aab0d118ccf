-- The characters removed are not restored.
SELECT 1;
