"""Inbound replies: parsing email and SMS content before it is stored and classified."""
