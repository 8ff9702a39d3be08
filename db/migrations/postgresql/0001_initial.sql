-- The registry schema on PostgreSQL: the same tables, columns and indexes as the SQLite step of the
-- same number (0001_initial.sql one folder up; a test compares the two), in SQL that PostgreSQL 15
-- and its Chinese derivatives (openGauss, KingbaseES) accept: BIGSERIAL rather than identity
-- columns, TEXT dates in ISO form, integers for yes/no.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE agency_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE divisions (
    id        BIGSERIAL PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    is_office INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    login           TEXT NOT NULL,
    name            TEXT NOT NULL,
    division_id     BIGINT REFERENCES divisions(id),
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);
-- Logins are unique whatever their case (SQLite: UNIQUE COLLATE NOCASE).
CREATE UNIQUE INDEX users_login_nocase ON users (lower(login));

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('clerk','office_head','division','reviewer','leader','admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE applicants (
    id             BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('person','org')),
    applicant_type TEXT NOT NULL CHECK (applicant_type IN
                   ('自然人','商业企业','科研机构','社会公益组织','法律服务机构','其他')),
    name           TEXT NOT NULL,
    id_type        TEXT,
    id_number      TEXT,
    work_unit      TEXT,
    legal_rep      TEXT,
    contact_person TEXT,
    phone          TEXT,
    address        TEXT,
    postcode       TEXT,
    email          TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX applicants_by_id_number ON applicants(id_number) WHERE id_number IS NOT NULL;
CREATE INDEX applicants_by_name ON applicants(name);

CREATE TABLE cases (
    id               BIGSERIAL PRIMARY KEY,
    case_no          TEXT NOT NULL UNIQUE,
    applicant_id     BIGINT NOT NULL REFERENCES applicants(id),
    channel          TEXT NOT NULL CHECK (channel IN ('当面','邮寄','平常信函','网络','传真','其他')),
    received_on      TEXT NOT NULL,
    request_text     TEXT NOT NULL,
    index_no         TEXT,
    purpose          TEXT,
    delivery_form    TEXT,
    delivery_route   TEXT,
    accept_other_form INTEGER,
    remarks          TEXT,
    split_from_id    BIGINT REFERENCES cases(id),
    created_at       TEXT NOT NULL,
    created_by       BIGINT REFERENCES users(id),
    version          INTEGER NOT NULL DEFAULT 1,
    state            TEXT NOT NULL,
    lead_division_id BIGINT REFERENCES divisions(id),
    due_on           TEXT,
    paused           INTEGER NOT NULL DEFAULT 0,
    outcome          TEXT,
    concluded_on     TEXT,
    overdue          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_by_received ON cases(received_on, id);
CREATE INDEX cases_by_state ON cases(state, received_on);
CREATE INDEX cases_by_division ON cases(lead_division_id NULLS FIRST, received_on);  -- NULL first, as SQLite sorts
CREATE INDEX cases_by_due ON cases(due_on, id);
CREATE INDEX cases_by_applicant ON cases(applicant_id, received_on);
CREATE INDEX cases_by_concluded ON cases(concluded_on);

CREATE TABLE case_co_divisions (
    case_id     BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    division_id BIGINT NOT NULL REFERENCES divisions(id),
    PRIMARY KEY (case_id, division_id)
);

CREATE TABLE case_events (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    type         TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    actor_id     BIGINT REFERENCES users(id),
    payload      TEXT NOT NULL DEFAULT '{}',
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX case_events_by_case ON case_events(case_id, id);
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'case_events is append-only'; END $$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
    FOR EACH ROW EXECUTE PROCEDURE case_events_append_only();
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
    FOR EACH ROW EXECUTE PROCEDURE case_events_append_only();

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    actor_id    BIGINT REFERENCES users(id),
    action      TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE calendar_overrides (
    day        TEXT PRIMARY KEY,
    is_workday INTEGER NOT NULL CHECK (is_workday IN (0,1)),
    note       TEXT,
    source     TEXT NOT NULL DEFAULT 'manual'
);

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    notice_text TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by BIGINT REFERENCES users(id)
);

CREATE TABLE doc_sequences (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE fee_notices (
    id             BIGSERIAL PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases(id),
    method         TEXT NOT NULL CHECK (method IN ('per_application','per_page')),
    quantity       INTEGER NOT NULL,
    tier           TEXT NOT NULL,
    amount         INTEGER NOT NULL,
    issued_on      TEXT NOT NULL,
    payment_due_on TEXT
);
CREATE INDEX fee_notices_by_case ON fee_notices(case_id);

CREATE TABLE fee_payments (
    id            BIGSERIAL PRIMARY KEY,
    fee_notice_id BIGINT NOT NULL REFERENCES fee_notices(id),
    paid_on       TEXT NOT NULL,
    amount        INTEGER NOT NULL
);

CREATE TABLE remedy_cases (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT REFERENCES cases(id),
    kind         TEXT NOT NULL CHECK (kind IN ('reconsideration','lawsuit_direct','lawsuit_after_reconsideration')),
    filed_on     TEXT NOT NULL,
    result       TEXT CHECK (result IN ('upheld','corrected','other')),
    concluded_on TEXT,
    notes        TEXT
);
CREATE INDEX remedy_cases_by_filed ON remedy_cases(filed_on);

CREATE TABLE annual_inputs (
    year  INTEGER NOT NULL,
    item  TEXT NOT NULL,
    field TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (year, item, field)
);

-- Search (SQLite: an FTS5 table). One row per case, keyed by the list key (day of receipt << 32 |
-- case id, db/queries/search.py), so that key order is the registry's default order. ``body`` is the
-- request text and the applicant's name as the SQLite index tokenises them (word characters only,
-- lower case), joined by a character a search term never holds, so a match never spans the two.
-- Terms of 3+ characters are found through the trigram index, 1-2 characters through ``grams``
-- (every distinct 1- and 2-character run of ``body``).
CREATE TABLE case_search (
    key   BIGINT PRIMARY KEY,
    body  TEXT NOT NULL,
    grams TEXT[] NOT NULL
);
CREATE INDEX case_search_trigrams ON case_search USING gin (body gin_trgm_ops);
CREATE INDEX case_search_grams ON case_search USING gin (grams);
