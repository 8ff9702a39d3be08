-- The search index's rowid becomes the list key (day of receipt << 32 | case id, see
-- db/queries/search.py), so that a search reads matches newest first and stops after a page.
-- The index is contentless: it is rebuilt from the cases with the functions that connection.py
-- registers on every connection (search_key, search_spaced).
INSERT INTO case_search (case_search) VALUES ('delete-all');
INSERT INTO case_search (rowid, request_text, applicant_name)
    SELECT search_key(received_on, id), search_spaced(request_text), search_spaced(applicant_name) FROM cases;
