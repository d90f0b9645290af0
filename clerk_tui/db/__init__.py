"""The database layer: peewee models on SQLite, migrations, and engine-specific SQL."""
