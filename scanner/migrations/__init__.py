"""Alembic migrations of the history store, shipped inside the package so that they run from a
wheel as from a checkout (scanner/store.py runs them when it opens a store)."""
