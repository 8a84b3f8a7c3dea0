"""Bulk import of historic recommendations, replayed through the operations."""
