"""Sending the digest: subscribers, signed tokens, personalised messages, SMTP, journal."""
