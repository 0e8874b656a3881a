"""Encryption of secrets at rest and in transit (Fernet; several keys allow rotation)."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class TokenDecryptionError(Exception):
    """A secret could not be decrypted with any configured key."""


class TokenCipher:
    """Encrypts with the first key, decrypts with any of them.

    Tokens are rewritten on every refresh (hourly), so after a key rotation every stored
    token is re-encrypted with the new key within an hour of use; old keys can then go.
    """

    def __init__(self, keys: Sequence[SecretStr | str]) -> None:
        if not keys:
            raise ValueError("at least one token encryption key is required")
        raw = [k.get_secret_value() if isinstance(k, SecretStr) else k for k in keys]
        self._fernet = MultiFernet([Fernet(k.encode()) for k in raw])

    def encrypt(self, secret: SecretStr) -> bytes:
        return self._fernet.encrypt(secret.get_secret_value().encode())

    def decrypt(self, blob: bytes) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(blob).decode())
        except InvalidToken as exc:
            raise TokenDecryptionError(
                "secret cannot be decrypted with the configured keys"
            ) from exc

    def __repr__(self) -> str:
        return "TokenCipher(<keys redacted>)"


def parse_keys(value: str) -> list[SecretStr]:
    """`TOKEN_ENCRYPTION_KEYS` is a comma-separated list, newest key first."""
    return [SecretStr(k.strip()) for k in value.split(",") if k.strip()]
