"""Documents the registry writes and reads: letters (PDF), ledgers and reports (xlsx). No Qt."""
