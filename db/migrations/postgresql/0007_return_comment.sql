ALTER TABLE cases ADD COLUMN return_comment TEXT;
