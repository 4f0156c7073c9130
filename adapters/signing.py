"""Ed25519 signed tree heads (SPEC §7): the key, and the signature over JCS bytes."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger("ceasefire")
KEY_FILE = "signing-key.pem"


def load_key(configured: str | None, data_dir: Path) -> Ed25519PrivateKey:
    """CEASEFIRE_SIGNING_KEY (PEM, or the base64 / hex of the 32-byte seed), else a key
    generated once into the data directory, readable by its owner only."""
    if configured:
        return _parse(configured.strip())
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        log.warning("generated a signing key at %s; replicas must share one: set CEASEFIRE_SIGNING_KEY", path)
    return _parse(path.read_text())


def _parse(text: str) -> Ed25519PrivateKey:
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CEASEFIRE_SIGNING_KEY is not an Ed25519 key")
        return key
    seed = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text)
    if len(seed) != 32:
        raise ValueError("CEASEFIRE_SIGNING_KEY must be PEM, or the base64 or hex of a 32-byte seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signed_bytes(tree_size: int, root: str, timestamp: str) -> bytes:
    return rfc8785.dumps({"tree_size": tree_size, "root": root, "timestamp": timestamp})


def sign(key: Ed25519PrivateKey, tree_size: int, root: str, timestamp: str) -> str:
    return base64.b64encode(key.sign(signed_bytes(tree_size, root, timestamp))).decode()
