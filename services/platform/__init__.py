"""Adapters and plumbing shared by every service: config, logging, PostgreSQL, Kafka."""
