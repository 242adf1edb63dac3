"""Key material for sync: Ed25519 signing keys (minisign format) and age X25519 identities.

No cryptography is written here: signing and verifying are py-minisign (over the
``cryptography`` package's Ed25519), encryption keys are pyrage (age). Keys travel
as the strings those formats define, so stock ``minisign`` and ``age`` read them:
a signing secret is minisign's base64 secret key (unencrypted: it lives inside the
encrypted vault or a 0600 file), a public key is minisign's base64 public key (what
``minisign -P`` takes), an age identity is ``AGE-SECRET-KEY-1...`` and a recipient
``age1...``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import minisign
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyrage import x25519


@dataclass(frozen=True)
class DeviceKeys:
    """The private halves a device (or the agency) holds, and their public halves."""

    signing_secret: str  # minisign base64 secret key
    age_identity: str  # AGE-SECRET-KEY-1...

    @property
    def signing_public(self) -> str:
        return signing_public_key(self.signing_secret)

    @property
    def age_recipient(self) -> str:
        return age_recipient(self.age_identity)


def generate_keys() -> DeviceKeys:
    return DeviceKeys(signing_secret=generate_signing_key(), age_identity=generate_age_identity())


def generate_signing_key() -> str:
    return minisign.KeyPair.generate().secret_key.to_base64().decode("ascii")


def generate_age_identity() -> str:
    return str(x25519.Identity.generate())


def signing_public_key(secret_b64: str) -> str:
    return minisign.SecretKey.from_base64(secret_b64).get_public_key().to_base64().decode("ascii")


def age_recipient(identity: str) -> str:
    return str(x25519.Identity.from_str(identity).to_public())


def sign(secret_b64: str, data: bytes, trusted_comment: str) -> bytes:
    """A minisign signature file's bytes (4 lines) over ``data``."""
    key = minisign.SecretKey.from_base64(secret_b64)
    signature = key.sign(
        data,
        prehash=True,
        untrusted_comment="signature from HomeStudy",
        trusted_comment=trusted_comment,
    )
    return bytes(signature) + b"\n"


def verify(public_b64: str, data: bytes, signature: bytes) -> str:
    """Verify a minisign signature; return its (signed) trusted comment.

    Raises ``minisign.Error`` (a ``ValueError``) for a malformed key or signature and
    for a signature that does not verify.
    """
    key = minisign.PublicKey.from_base64(public_b64)
    sig = minisign.Signature.from_bytes(signature.rstrip(b"\n"))
    key.verify(data, sig)
    return sig.trusted_comment


# minisign's key layouts (https://jedisct1.github.io/minisign/): a public key is
# "Ed" + key id (8) + Ed25519 key (32); an unencrypted secret key has 54 bytes of
# algorithm, KDF and salt fields, then key id (8), the Ed25519 seed (32) and its
# public key (32).
_SECRET_SEED = slice(62, 94)
_SECRET_PUBLIC = slice(94, 126)
_PUBLIC_KEY = slice(10, 42)


def sign_raw(secret_b64: str, data: bytes) -> bytes:
    """A bare 64-byte Ed25519 signature over ``data`` with the minisign key's seed:
    for a signed HTTP request, where minisign's four lines would be most of the bytes.
    Only ever over texts with their own prefix (``request_text``), so it cannot be
    taken for a signature over a bundle's manifest."""
    raw = base64.b64decode(secret_b64)
    if raw[2:4] != b"\x00\x00":  # a passphrase-protected key: never stored that way here
        raise ValueError("the signing key is encrypted")
    key = ed25519.Ed25519PrivateKey.from_private_bytes(raw[_SECRET_SEED])
    if key.public_key().public_bytes_raw() != raw[_SECRET_PUBLIC]:  # a misread layout
        raise ValueError("the signing key is not readable")
    return key.sign(data)


def verify_raw(public_b64: str, data: bytes, signature: bytes) -> None:
    """Check a ``sign_raw`` signature; ``ValueError`` when it does not verify."""
    raw = base64.b64decode(public_b64, validate=True)
    if len(raw) != 42 or raw[:2] != b"Ed" or len(signature) != 64:
        raise ValueError("malformed key or signature")
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw[_PUBLIC_KEY]).verify(signature, data)
    except InvalidSignature as exc:
        raise ValueError("the signature does not verify") from exc


def valid_public_key(public_b64: str) -> bool:
    try:
        minisign.PublicKey.from_base64(public_b64)
    except (minisign.Error, ValueError):
        return False
    return True


def valid_recipient(recipient: str) -> bool:
    try:
        x25519.Recipient.from_str(recipient)
    except Exception:  # pyrage raises its own RecipientError (not a ValueError)
        return False
    return True


def public_key_file(public_b64: str) -> bytes:
    """The two-line public key file stock ``minisign -p FILE`` reads."""
    return b"untrusted comment: minisign public key\n" + public_b64.encode("ascii") + b"\n"


def secret_key_file(secret_b64: str) -> bytes:
    return b"untrusted comment: minisign secret key\n" + secret_b64.encode("ascii") + b"\n"


def age_identity_file(identity: str) -> bytes:
    """An identity file stock ``age -d -i FILE`` reads."""
    return f"# public key: {age_recipient(identity)}\n{identity}\n".encode("ascii")
