"""Storage: SQLite connection, migrations, and the SQL of each aggregate. No Qt, no desktop.ui."""
