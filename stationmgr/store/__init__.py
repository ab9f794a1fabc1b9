"""Storage: schema, migrations, queries. Works on SQLite (default) and PostgreSQL."""
