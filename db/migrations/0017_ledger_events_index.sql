-- The ledger export replays a case's events of these types only (ledger.LEDGER_EVENTS; the same list,
-- in the same order, in the export's query); most cases have none. Without this index the export reads
-- every event of the cases it writes to find them. It only speeds the export: any other list is read
-- through case_events_by_case, with the same result.
CREATE INDEX case_events_for_ledger ON case_events(case_id, id) WHERE type IN (
    'art35_delay', 'consultation_end', 'consultation_start', 'corrected', 'correction_notice', 'extension_approve',
    'fee_notice', 'fee_paid', 'fee_unpaid', 'ledger_import', 'letter_delivered', 'withdrawn');
