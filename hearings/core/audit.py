"""Append-only, hash-chained audit log: each entry's hash covers the previous entry's hash.

There is one chain per municipality (entries without a municipality form chain 0): an entry's
previous hash is the hash of the last entry of the same municipality. So writers in different
municipalities never wait for each other, and `verify()` walks every chain.
"""
import hashlib
import json
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Index, JSON, ForeignKey, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .models import UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # each municipality's chain is found by (municipality_id, id): the last link is one index probe
    __table_args__ = (Index("ix_audit_event_chain", "municipality_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    def payload(self):
        return json.dumps({
            "created_at": self.created_at.isoformat(), "actor_id": self.actor_id,
            "municipality_id": self.municipality_id, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id,
            "details": self.details or {}, "ip": self.ip, "prev_hash": self.prev_hash,
        }, sort_keys=True, ensure_ascii=False, default=str)

    def compute_hash(self):
        return hashlib.sha256(self.payload().encode()).hexdigest()


def _chain_key(municipality_id):
    return municipality_id or 0


def record(action, obj=None, municipality=None, actor=None, **details):
    """Add an audit entry to the current transaction (the caller commits once)."""
    session = db.session
    municipality_id = getattr(municipality, "id", municipality)
    if municipality_id is None and obj is not None:
        municipality_id = getattr(obj, "municipality_id", None)
    session.flush()  # the caller's rows first, outside the chain lock
    if session.get_bind().dialect.name == "postgresql":
        # one writer at a time extends this municipality's chain; released at commit/rollback
        session.execute(text("SELECT pg_advisory_xact_lock(7241, :key)"),
                        {"key": _chain_key(municipality_id)})
    same_chain = (AuditEvent.municipality_id == municipality_id if municipality_id is not None
                  else AuditEvent.municipality_id.is_(None))
    last = session.execute(select(AuditEvent.hash).where(same_chain)
                           .order_by(AuditEvent.id.desc()).limit(1)).scalar()
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        created_at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        municipality_id=municipality_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(getattr(obj, "id", "")) if obj is not None else None,
        details=json.loads(json.dumps(details, default=str)),
        ip=request.remote_addr if has_request_context() else None,
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash()
    session.add(event)
    return event


def verify():
    """Walk every municipality's chain (in entry order); return
    (checked_count, first_broken_event_id or None, reason)."""
    prev = {}  # chain key -> hash of its last entry seen so far
    count = 0
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    for event in rows.scalars():
        count += 1
        key = _chain_key(event.municipality_id)
        if event.prev_hash != prev.get(key, GENESIS):
            return count, event.id, "previous hash does not match (an entry was removed or reordered)"
        if event.compute_hash() != event.hash:
            return count, event.id, "entry content was changed"
        prev[key] = event.hash
    return count, None, ""
