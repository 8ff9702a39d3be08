"""Use cases. Each runs in one transaction, checks permission and writes the audit trail. No Qt."""
