"""Test helpers: real services started once per session, Kafka/HTTP conveniences."""
