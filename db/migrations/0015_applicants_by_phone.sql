-- The counter looks an applicant up by phone number as the caller says it: digits only, whatever
-- hyphens or spaces were typed when it was recorded.
CREATE INDEX applicants_by_phone_digits ON applicants(replace(replace(phone, '-', ''), ' ', ''))
    WHERE phone IS NOT NULL;
