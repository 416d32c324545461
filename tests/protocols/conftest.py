"""A held hearing with a full record, and signing certificates for the chair and secretary."""
import secrets
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from hearings.extensions import db

# the development CA fixtures are shared with tests/documents
from tests.documents.conftest import dev_ca, person_certs  # noqa: F401

PROPOSALS = [
    ("Айгүл Бекова", "Көчө жарыгын Ленин көчөсүнө орнотуу", "Көчө жарыгы", Decimal("350000"), "accepted", ""),
    ("Иван Петров", "Отремонтировать водопровод в селе", "Водоснабжение", Decimal("1200000"), "rejected",
     "Нет средств в 2027 году"),
    ("Нурбек Үсөнов", "Жаштар үчүн спорт аянтчасын куруу", "", None, "pending", ""),
]


def make_held_hearing(municipality, users, proposals=PROPOSALS):
    from hearings.meetings.models import (AgendaItem, Decision, Hearing, Proposal, Question,
                                          Registration, Speech, Vote)

    start = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)  # 10:00 in Bishkek, a Friday
    hearing = Hearing(
        municipality_id=municipality.id, kind="draft_budget", title="2027-жылдын бюджетинин долбоору",
        starts_at=start, ends_at=start + timedelta(hours=2), venue_address="Ленин көчөсү 1, айыл өкмөтү",
        village_id=municipality.villages[0].id, organiser="Теплоключенка айыл өкмөтү",
        basis_act_no="12-р", basis_act_date=date(2026, 11, 1), chair_id=users["chair"].id,
        chair_position="Айыл өкмөтүнүн башчысы", secretary_id=users["secretary"].id,
        secretary_position="Катчы", invited="Райондук финансы бөлүмүнүн адиси",
        status="held", published_at=start - timedelta(days=12), notice_where="сайт жана такта",
        opened_at=start + timedelta(minutes=5), closed_at=start + timedelta(hours=1, minutes=50))
    db.session.add(hearing)
    db.session.flush()
    people = [("Гүлнара Ашырова", "female", "youth"), ("Бакыт Осмонов", "male", "adult"),
              ("Өмүр Ңаева", "female", "adult"), ("Алия Турдиева", "female", "youth"),
              ("Сергей Ким", "male", "adult"), ("Не пришёл Никто", "male", "adult")]
    for i, (name, gender, age) in enumerate(people, start=1):
        db.session.add(Registration(
            hearing_id=hearing.id, code=secrets.token_hex(3).upper(), token=secrets.token_hex(16),
            channel="walk_in", full_name=name, village="Теплоключенка-1, Ленин 5", position=i,
            gender=gender, age_group=age, category="resident", consent=True,
            checked_in_at=start + timedelta(minutes=i) if i <= 5 else None))
    items = []
    for pos, title in enumerate(["2027-жылдын бюджетинин долбоору жөнүндө", "Жарандык бюджет"], start=1):
        item = AgendaItem(hearing_id=hearing.id, position=pos, title=title, rapporteur="Бекова А.",
                          rapporteur_position="Башкы бухгалтер", summary=f"Баяндама {pos}: кирешелер жана чыгашалар.")
        db.session.add(item)
        items.append(item)
    db.session.flush()
    db.session.add(Question(hearing_id=hearing.id, agenda_item_id=items[0].id, asked_by="Осмонов Б.",
                            question="Жол оңдоого канча каралган?", answered_by="Бекова А.",
                            answer="1,2 млн сом."))
    db.session.add(Speech(hearing_id=hearing.id, agenda_item_id=items[0].id, speaker_name="Ким С.",
                          speaker_position="депутат", summary="Бюджетти колдойм."))
    for n, (author, content, line, amount, decision, reason) in enumerate(proposals, start=1):
        db.session.add(Proposal(hearing_id=hearing.id, agenda_item_id=items[0].id if n < 3 else None,
                                number=n, source="floor", author_name=author, content=content,
                                budget_line=line, amount=amount, decision=decision, decision_reason=reason))
    db.session.add(Vote(hearing_id=hearing.id, agenda_item_id=items[0].id, subject="Долбоорду колдоо",
                        votes_for=41, votes_against=3, votes_abstained=2))
    db.session.add(Decision(hearing_id=hearing.id, agenda_item_id=items[0].id,
                            text="Бюджеттин долбоорун айылдык кеңешке сунуштоо."))
    db.session.commit()
    return hearing


@pytest.fixture
def held_hearing(municipality, users):
    return make_held_hearing(municipality, users)


from tests.conftest import PASSWORD as PASSWORD_FOR_BROWSER  # noqa: E402
