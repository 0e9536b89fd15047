"""The email digest: rendering within Gmail's size budget, MIME, the archive."""
