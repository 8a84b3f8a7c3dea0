"""Signed checkpoints of the history.

The hash chain shows that no event was changed in place; it cannot show that the newest
events were cut off, or that someone with write access rebuilt the whole chain
consistently. A checkpoint closes that gap: the head of the chain (sequence number and
hash) at a moment, signed with an Ed25519 key kept outside the database. Anyone who kept
a checkpoint (it is published) can later prove that the history still contains that
event with that hash and that the chain from the first event through it, and on to
today's head, is intact: a truncation below the checkpoint or a re-chained history no
longer matches it, and a forged checkpoint does not carry the key's signature.

The key: ``FOLLOWUP_CHECKPOINT_KEY`` names a PEM file with the private key (create it
with ``followup checkpoint keygen``); only the public key is stored and published.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors
from workflow.history.log import GENESIS, format_utc, verify_history
from workflow.history.models import Checkpoint, Event

FORMAT = "benelux-followup checkpoint v1"
KEY_VARIABLE = "FOLLOWUP_CHECKPOINT_KEY"


def signed_text(seq: int, head_hash: str, signed_at: datetime) -> bytes:
    """What the signature covers."""
    return f"{FORMAT}\nseq={seq}\nhash={head_hash}\nsigned_at={format_utc(signed_at)}\n".encode()


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_key: str) -> str:
    """A short fingerprint of the public key, to tell keys apart."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


@dataclass(frozen=True)
class SignedHead:
    seq: int
    hash: str
    signed_at: datetime
    public_key: str
    signature: str

    def as_dict(self) -> dict:
        return {"format": FORMAT, "seq": self.seq, "hash": self.hash,
                "signed_at": format_utc(self.signed_at), "algorithm": "Ed25519",
                "public_key": self.public_key, "key_id": key_id(self.public_key),
                "signature": self.signature}

    @classmethod
    def from_dict(cls, data: dict) -> SignedHead:
        try:
            if data.get("format") != FORMAT:
                raise ValueError(f"not a checkpoint of this application ({FORMAT!r} expected)")
            return cls(seq=int(data["seq"]), hash=str(data["hash"]),
                       signed_at=datetime.fromisoformat(
                           str(data["signed_at"]).replace("Z", "+00:00")),
                       public_key=str(data["public_key"]), signature=str(data["signature"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise errors.ValidationError(f"this checkpoint file cannot be read: {exc}",
                                         field="checkpoint", rule="checkpoint_format") from exc

    @classmethod
    def of(cls, row: Checkpoint) -> SignedHead:
        return cls(row.seq, row.hash, row.signed_at, row.public_key, row.signature)

    def signature_ok(self) -> bool:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
            key.verify(base64.b64decode(self.signature),
                       signed_text(self.seq, self.hash, self.signed_at))
            return True
        except (InvalidSignature, ValueError):
            return False


def generate_key(path: Path) -> str:
    """Write a new private key to ``path`` (owner-only) and return its public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return public_key_text(key.public_key())


def load_key(path: str | None = None) -> Ed25519PrivateKey:
    path = path or os.environ.get(KEY_VARIABLE)
    if not path:
        raise errors.ValidationError(
            f"{KEY_VARIABLE} is not set: name the file with the checkpoint signing key "
            "(create one with 'followup checkpoint keygen FILE')", field=KEY_VARIABLE,
            rule="checkpoint_key")
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise errors.ValidationError(f"the checkpoint key {path} cannot be read: {exc}",
                                     field=KEY_VARIABLE, rule="checkpoint_key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise errors.ValidationError(f"the checkpoint key {path} is not an Ed25519 key",
                                     field=KEY_VARIABLE, rule="checkpoint_key")
    return key


def create(session: Session, key: Ed25519PrivateKey, now: datetime) -> Checkpoint:
    """Sign the current head and store the checkpoint (flushes; the caller commits)."""
    head = session.execute(select(Event.seq, Event.hash).order_by(Event.seq.desc())
                           .limit(1)).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    signature = base64.b64encode(key.sign(signed_text(seq, head_hash, now))).decode()
    row = Checkpoint(seq=seq, hash=head_hash, signed_at=now,
                     public_key=public_key_text(key.public_key()), signature=signature)
    session.add(row)
    session.flush()
    return row


def latest(session: Session) -> Checkpoint | None:
    return session.scalar(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1))


@dataclass(frozen=True)
class CheckpointCheck:
    ok: bool
    problem: str  # a rule name: "" when ok
    detail: str

    def describe(self) -> str:
        return self.detail


def verify(session: Session, head: SignedHead, trusted_key: str | None = None) -> CheckpointCheck:
    """Does the history still contain ``head`` unchanged, with the chain intact?"""
    if trusted_key is not None and trusted_key != head.public_key:
        return CheckpointCheck(False, "checkpoint_key",
                               f"the checkpoint was signed with key {key_id(head.public_key)}, "
                               f"not with the trusted key {key_id(trusted_key)}")
    if not head.signature_ok():
        return CheckpointCheck(False, "checkpoint_signature",
                               "the checkpoint's signature does not match its content: "
                               "the file was altered or not signed with this key")
    if head.seq > 0:
        found = session.scalar(select(Event.hash).where(Event.seq == head.seq))
        if found is None:
            return CheckpointCheck(False, "checkpoint_missing",
                                   f"event {head.seq}, the head at the checkpoint of "
                                   f"{format_utc(head.signed_at)}, is no longer in the history: "
                                   "the history was cut back")
        if found != head.hash:
            return CheckpointCheck(False, "checkpoint_changed",
                                   f"event {head.seq} now has the hash {found}, the checkpoint "
                                   f"of {format_utc(head.signed_at)} says {head.hash}: the "
                                   "history up to it was rewritten")
    chain = verify_history(session)
    if not chain.ok:
        return CheckpointCheck(False, "chain_broken", chain.describe())
    return CheckpointCheck(True, "", f"the history contains the checkpoint's head (event "
                           f"{head.seq}, signed {format_utc(head.signed_at)} with key "
                           f"{key_id(head.public_key)}) unchanged; {chain.describe()}")


def load_file(path: str) -> SignedHead:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise errors.ValidationError(f"the checkpoint file {path} cannot be read: {exc}",
                                     field="checkpoint", rule="checkpoint_format") from exc
    return SignedHead.from_dict(data if isinstance(data, dict) else {})
