"""Event contract v1: the single source of truth for every message on Kafka."""
