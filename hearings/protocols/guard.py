"""Defence in depth for immutability: no flush may change the record of a hearing whose
protocol is submitted or signed, whichever code path tries (views should still check
`services.hearing_is_locked` first to show a friendly page)."""
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

# bookkeeping columns that may still change on a locked hearing
IGNORED = {"seq", "updated_at", "reminder_sent_at"}


class HearingLocked(Forbidden):
    """403 with the reason; raised from the flush so even an unchecked write is refused."""


def _record_classes():
    from ..meetings import models as m

    return (m.Hearing, m.AgendaItem, m.Registration, m.Question, m.Speech, m.Proposal, m.Vote,
            m.Decision)


def _hearing_id(obj, classes):
    if isinstance(obj, classes[0]):
        return obj.id
    hearing_id = getattr(obj, "hearing_id", None)
    if hearing_id is None and getattr(obj, "hearing", None) is not None:
        hearing_id = obj.hearing.id
    return hearing_id


def _changed(obj):
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


@event.listens_for(Session, "before_flush")
def refuse_changes_to_locked_hearings(session, flush_context, instances):
    from .models import Protocol
    from .services import LOCKING, locked_message

    classes = _record_classes()
    touched = set()
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, classes) and not isinstance(obj, classes[0]):
            touched.add(_hearing_id(obj, classes))
        elif isinstance(obj, classes[0]) and obj in session.deleted:
            touched.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, classes) and _changed(obj):
            touched.add(_hearing_id(obj, classes))
    touched.discard(None)
    if not touched:
        return
    with session.no_autoflush:
        for hearing_id in touched:
            status = session.execute(select(Protocol.status).filter_by(hearing_id=hearing_id)
                                     .order_by(Protocol.version.desc()).limit(1)).scalar_one_or_none()
            if status in LOCKING:
                raise HearingLocked(locked_message())
