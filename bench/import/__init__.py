"""Import benchmark: the full DreamBank TSV into SQLite and into PostgreSQL, without analysis."""
