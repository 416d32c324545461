"""Registry of issued documents, PAdES signing and public verification."""
