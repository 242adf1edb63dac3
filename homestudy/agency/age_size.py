"""How long the plaintext of an age file is, read from its shape alone (no key).

The inbox role holds no decryption key, yet must place each attachment chunk (age
ciphertext) at its plaintext offset. age v1 (https://age-encryption.org/v1) is a text
header ending in a ``--- <mac>`` line, then a 16-byte nonce and the payload in chunks
of 64 KiB of plaintext, each followed by a 16-byte tag (the last chunk may be shorter,
and is empty only when the whole plaintext is). So the plaintext length follows from the
payload length. The content itself is checked against its SHA-256 by the console when
it decrypts it (``case_state.read_blob``).
"""

from __future__ import annotations

MAGIC = b"age-encryption.org/v1\n"
NONCE, TAG, CHUNK = 16, 16, 64 * 1024


def plaintext_size(data: bytes) -> int:
    """The plaintext length of the binary age file ``data``; ValueError if it is not one
    (or not encrypted to an X25519 recipient, which is what laptops send)."""
    if not data.startswith(MAGIC) or b"\n-> X25519 " not in data[: data.find(b"\n---") + 1]:
        raise ValueError("not an age file for an X25519 recipient")
    mac_line = data.find(b"\n--- ")
    end = data.find(b"\n", mac_line + 1) if mac_line >= 0 else -1
    if end < 0:
        raise ValueError("the age header does not end")
    body = len(data) - (end + 1) - NONCE
    chunks = max(1, -(-body // (CHUNK + TAG)))
    last = body - (chunks - 1) * (CHUNK + TAG)
    if last < TAG or (last == TAG and chunks > 1):
        raise ValueError("the age payload is cut short")
    return body - chunks * TAG
