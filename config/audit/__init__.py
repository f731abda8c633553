"""Audit log of staff actions and security events, read in the admin."""
