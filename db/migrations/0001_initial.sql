-- The registry schema. Case facts live in case_events (append-only); the columns of `cases` after
-- "derived" are a projection the services recompute from the events and the calendar.

CREATE TABLE agency_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE divisions (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    is_office INTEGER NOT NULL DEFAULT 0,   -- the information-disclosure office itself
    active    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL,
    division_id     INTEGER REFERENCES divisions(id),
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('clerk','office_head','division','reviewer','leader','admin')),
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;

CREATE TABLE applicants (
    id             INTEGER PRIMARY KEY,
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
    id               INTEGER PRIMARY KEY,
    case_no          TEXT NOT NULL UNIQUE,
    applicant_id     INTEGER NOT NULL REFERENCES applicants(id),
    channel          TEXT NOT NULL CHECK (channel IN ('当面','邮寄','平常信函','网络','传真','其他')),
    received_on      TEXT NOT NULL,          -- date of receipt per art. 31 (a recorded fact)
    request_text     TEXT NOT NULL,
    index_no         TEXT,
    purpose          TEXT,
    delivery_form    TEXT,
    delivery_route   TEXT,
    accept_other_form INTEGER,
    remarks          TEXT,
    split_from_id    INTEGER REFERENCES cases(id),
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES users(id),
    version          INTEGER NOT NULL DEFAULT 1,   -- bumped by every event: conflict detection
    -- derived (recomputed from case_events and the calendar by the services)
    state            TEXT NOT NULL,
    lead_division_id INTEGER REFERENCES divisions(id),
    due_on           TEXT,                   -- effective due date (projection while paused)
    paused           INTEGER NOT NULL DEFAULT 0,
    outcome          TEXT,
    concluded_on     TEXT,
    overdue          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cases_by_received ON cases(received_on, id);
CREATE INDEX cases_by_state ON cases(state, received_on);
CREATE INDEX cases_by_division ON cases(lead_division_id, received_on);
CREATE INDEX cases_by_due ON cases(due_on, id);
CREATE INDEX cases_by_applicant ON cases(applicant_id, received_on);
CREATE INDEX cases_by_concluded ON cases(concluded_on);

CREATE TABLE case_co_divisions (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    division_id INTEGER NOT NULL REFERENCES divisions(id),
    PRIMARY KEY (case_id, division_id)
) WITHOUT ROWID;

-- Append-only: who did what, when, to which case; the source of every derived fact.
CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    type         TEXT NOT NULL,
    effective_on TEXT NOT NULL,              -- the date the fact took effect
    recorded_at  TEXT NOT NULL,              -- when it was entered
    actor_id     INTEGER REFERENCES users(id),
    payload      TEXT NOT NULL DEFAULT '{}', -- JSON, with "before"/"after" where something changed
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX case_events_by_case ON case_events(case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

-- Administrative actions outside a case (users, settings, calendar), same chain idea.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id),
    action      TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE calendar_overrides (
    day        TEXT PRIMARY KEY,
    is_workday INTEGER NOT NULL CHECK (is_workday IN (0,1)),
    note       TEXT,
    source     TEXT NOT NULL DEFAULT 'manual'   -- manual | notice
);

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    notice_text TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users(id)
);

CREATE TABLE doc_sequences (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
) WITHOUT ROWID;

CREATE TABLE fee_notices (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    method         TEXT NOT NULL CHECK (method IN ('per_application','per_page')),
    quantity       INTEGER NOT NULL,
    tier           TEXT NOT NULL,
    amount         INTEGER NOT NULL,          -- yuan
    issued_on      TEXT NOT NULL,
    payment_due_on TEXT
);
CREATE INDEX fee_notices_by_case ON fee_notices(case_id);

CREATE TABLE fee_payments (
    id            INTEGER PRIMARY KEY,
    fee_notice_id INTEGER NOT NULL REFERENCES fee_notices(id),
    paid_on       TEXT NOT NULL,
    amount        INTEGER NOT NULL
);

-- Reconsideration and lawsuits about disclosure decisions (annual report part 四).
CREATE TABLE remedy_cases (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER REFERENCES cases(id),
    kind         TEXT NOT NULL CHECK (kind IN ('reconsideration','lawsuit_direct','lawsuit_after_reconsideration')),
    filed_on     TEXT NOT NULL,
    result       TEXT CHECK (result IN ('upheld','corrected','other')),
    concluded_on TEXT,
    notes        TEXT
);
CREATE INDEX remedy_cases_by_filed ON remedy_cases(filed_on);

-- Annual report part 二: figures the office enters for a year.
CREATE TABLE annual_inputs (
    year  INTEGER NOT NULL,
    item  TEXT NOT NULL,        -- 规章, 行政规范性文件, 行政许可, 行政处罚, 行政强制, 行政事业性收费
    field TEXT NOT NULL,        -- issued, repealed, in_force, decisions, amount
    value REAL NOT NULL,
    PRIMARY KEY (year, item, field)
) WITHOUT ROWID;

-- Search over request text and applicant name. Text is stored one character per token, so a
-- phrase query finds any substring, including 1–2 Chinese characters (trigram cannot).
CREATE VIRTUAL TABLE case_search USING fts5(
    request_text, applicant_name, content='', tokenize='unicode61 remove_diacritics 0'
);
