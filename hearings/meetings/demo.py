"""Demo hearings in Teploklyuchenka: one upcoming (registrations), one held (full proceedings)."""
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal

from ..core.i18n import BISHKEK, to_local
from ..core.models import utcnow
from ..extensions import db
from . import services
from .models import AgendaItem, Decision, Hearing, Proposal, Question, Registration, Speech, Vote

PEOPLE = [  # name, village, phone, gender, age group, category
    ("Абдыкадырова Гүлнара Асановна", "Теплоключенка, Ленин көчөсү, 12", "+996555101201", "female", "adult", "resident"),
    ("Мамытов Бакыт Токтосунович", "Теплоключенка, Мира 4", "+996555101202", "male", "adult", "deputy"),
    ("Сейитбекова Айпери Нурлановна", "Ак-Суу, Мектеп көчөсү, 3", "+996555101203", "female", "youth", "resident"),
    ("Осмонов Нурсултан Бакытович", "Ак-Суу, Жеңиш 8", "+996555101204", "male", "youth", "resident"),
    ("Кудайбергенова Чолпон Жумабековна", "Богатырёвка, Садовая 15", "+996555101205", "female", "adult", "ngo"),
    ("Иванов Сергей Петрович", "Богатырёвка, Школьная 2", "+996555101206", "male", "adult", "resident"),
    ("Токтогулова Элнура Маратовна", "Теплоключенка, Токтогул 21", "+996555101207", "female", "youth", "resident"),
    ("Эсенбаев Азамат Кубанычбекович", "Теплоключенка, Ленин 40", "+996555101208", "male", "adult", "specialist"),
    ("Жээнбекова Назгүл Толонбаевна", "Ак-Суу, Чүй 5", "+996555101209", "female", "adult", "resident"),
    ("Абдраимов Үмүт Садырович", "Теплоключенка, Мира 17", "+996555101210", "male", "youth", "media"),
    ("Петрова Анна Викторовна", "Богатырёвка, Садовая 3", "+996555101211", "female", "adult", "resident"),
    ("Бейшеналиев Талант Өмүрбекович", "Ак-Суу, Жеңиш 30", "+996555101212", "male", "adult", "resident"),
    ("Сыдыкова Айзада Бакытовна", "Теплоключенка, Ленин 7", "+996555101213", "female", "youth", "resident"),
    ("Карабаев Эрлан Асанович", "Теплоключенка, Токтогул 2", "+996555101214", "male", "adult", "deputy"),
]


def _local(d, hh, mm=0):
    return datetime.combine(d, time(hh, mm), tzinfo=BISHKEK)


def _reg(hearing, pos, person, channel="online", checked_by=None, at=None):
    name, village, phone, gender, age, cat = person
    return Registration(hearing=hearing, code=services.new_code(), token=secrets.token_urlsafe(18),
                        channel=channel, full_name=name, village=village, phone=phone, gender=gender,
                        age_group=age, category=cat, consent=True, position=pos, status="registered",
                        checked_in_at=at, checked_in_by_id=getattr(checked_by, "id", None))


def seed(ctx):
    m = ctx.municipalities["teploklyuchenka"]
    villages = {v.name_ru: v for v in m.villages}
    chair, secretary = ctx.users["chair"], ctx.users["secretary"]
    draft = ctx.data.get("draft_budget")
    today = to_local(utcnow()).date()

    # upcoming: draft budget for next year, announced on time, 14 days ahead
    day = today + timedelta(days=14)
    up = Hearing(municipality=m, municipality_id=m.id, kind="draft_budget",
                 title=f"Теплоключенка айыл аймагынын {day.year + 1}-жылга карата бюджетинин долбоору",
                 summary="Кирешелер 74 957,7 миң сом; негизги чыгашалар: суу түтүгү, көчө жарыгы, мектеп.",
                 starts_at=_local(day, 10), ends_at=_local(day, 12),
                 venue_address="Теплоключенка айылы, Ленин көчөсү, 1, маданият үйү",
                 village_id=villages["Теплоключенка"].id, organiser="Теплоключенка айыл өкмөтү",
                 contact="Осмонова Жылдыз, +996 555 000 111", basis_act_no="45",
                 basis_act_date=today - timedelta(days=2), chair_id=chair.id, chair_position="Айыл өкмөтүнүн башчысы",
                 secretary_id=secretary.id, secretary_position="Катчы", capacity=60,
                 status="announced", published_at=utcnow() - timedelta(days=1),
                 notice_where="Айыл өкмөтүнүн такта, WhatsApp тобу, aimak.kg",
                 draft_kind=getattr(draft, "kind", None), draft_id=getattr(draft, "id", None))
    up.proposal_deadline = up.starts_at - timedelta(days=m.proposal_days)
    up.agenda = [AgendaItem(position=1, title="Бюджеттин долбоорун талкуулоо", rapporteur="Осмонова Ж. А.",
                            draft_kind=up.draft_kind, draft_id=up.draft_id),
                 AgendaItem(position=2, title="Артыкчылыктуу маселелер боюнча сунуштар", rapporteur="Садыков Б. Ж.")]
    db.session.add(up)
    db.session.flush()
    for i, person in enumerate(PEOPLE[:8], start=1):
        db.session.add(_reg(up, i, person, channel="online" if i % 3 else "staff_assisted"))
    resident = ctx.users.get("resident")
    if resident is not None:
        db.session.add(Registration(hearing=up, code=services.new_code(), token=secrets.token_urlsafe(18),
                                    channel="online", full_name=resident.full_name, email=resident.email,
                                    user_id=resident.id, consent=True, position=9, status="registered",
                                    gender=resident.gender))
        db.session.add(Proposal(hearing=up, number=1, source="online", author_name=resident.full_name,
                                user_id=resident.id, content="Ак-Суу айылында көчө жарыгын орнотуу",
                                budget_line="Көчө жарыгы", amount=Decimal("350000"),
                                client_key=secrets.token_hex(8)))

    # held: last year's execution report, 20 days ago
    day = today - timedelta(days=20)
    held = Hearing(municipality=m, municipality_id=m.id, kind="execution_report",
                   title=f"Теплоключенка айыл аймагынын {day.year - 1}-жылдагы бюджетинин аткарылышы жөнүндө отчёт",
                   starts_at=_local(day, 14), ends_at=_local(day, 16, 30),
                   venue_address="Теплоключенка айылы, Ленин көчөсү, 1, маданият үйү",
                   village_id=villages["Теплоключенка"].id, organiser="Теплоключенка айыл өкмөтү",
                   basis_act_no="12", basis_act_date=day - timedelta(days=16), chair_id=chair.id,
                   chair_position="Айыл өкмөтүнүн башчысы", secretary_id=secretary.id,
                   secretary_position="Катчы", invited="Ак-Суу райондук финансы бөлүмүнүн адиси",
                   capacity=80, status="held", published_at=_local(day - timedelta(days=14), 9),
                   notice_where="Айыл өкмөтүнүн такта, WhatsApp тобу", opened_at=_local(day, 14, 5),
                   closed_at=_local(day, 16, 20))
    held.proposal_deadline = held.starts_at - timedelta(days=m.proposal_days)
    item1 = AgendaItem(position=1, title="Бюджеттин аткарылышы жөнүндө отчёт", rapporteur="Осмонова Жылдыз Асановна",
                       rapporteur_position="Башкы адис-финансист",
                       summary="Кирешелер 71 204,3 миң сом (план 98,2 %), чыгашалар 69 880,1 миң сом. "
                               "Суу түтүгүнүн 2,4 км оңдолду, 46 көчө чырагы орнотулду.")
    item2 = AgendaItem(position=2, title="Кийинки жылга артыкчылыктар", rapporteur="Садыков Бакыт Жумабекович",
                       rapporteur_position="Айыл өкмөтүнүн башчысы",
                       summary="Жаштар үчүн спорт аянтчасы жана таштанды чыгаруу графиги сунушталды.")
    held.agenda = [item1, item2]
    db.session.add(held)
    db.session.flush()
    base = held.starts_at - timedelta(minutes=25)
    for i, person in enumerate(PEOPLE, start=1):
        channel = "walk_in" if i > 10 else ("paper" if i in (9, 10) else "online")
        db.session.add(_reg(held, i, person, channel=channel, checked_by=secretary,
                            at=base + timedelta(minutes=2 * i)))
    db.session.add(Question(hearing_id=held.id, agenda_item=item1, asked_by="Иванов С. П.",
                            question="Почему не отремонтирована дорога в Богатырёвке?",
                            answered_by="Осмонова Ж. А.", answer="Средства предусмотрены на будущий год.",
                            client_key=secrets.token_hex(8)))
    db.session.add(Speech(hearing_id=held.id, agenda_item=item1, speaker_name="Мамытов Бакыт Токтосунович",
                          speaker_position="Айылдык кеңештин депутаты",
                          summary="Отчётту колдоду, суу түтүгүн улантууну сунуштады.", client_key=secrets.token_hex(8)))
    db.session.add(Speech(hearing_id=held.id, agenda_item=item2, speaker_name="Сейитбекова Айпери Нурлановна",
                          speaker_position="Жаштар уюму", summary="Спорт аянтчасы жаштар үчүн маанилүү.",
                          client_key=secrets.token_hex(8)))
    db.session.add(Proposal(hearing=held, agenda_item=item2, number=1, source="online",
                            author_name="Кудайбергенова Чолпон Жумабековна",
                            content="Ак-Суу айылында спорт аянтчасын куруу", budget_line="Жаштар жана спорт",
                            amount=Decimal("1200000"), decision="accepted",
                            decision_reason="Кийинки жылдын бюджетине киргизилет.",
                            submitted_at=held.starts_at - timedelta(days=4), client_key=secrets.token_hex(8)))
    db.session.add(Proposal(hearing=held, agenda_item=item2, number=2, source="floor",
                            author_name="Иванов Сергей Петрович", content="Таштанды жумасына эки жолу чыгарылсын",
                            budget_line="Таштанды чыгаруу", amount=Decimal("480000"), decision="rejected",
                            decision_reason="Каражат жетишсиз; жайкы мезгилде гана мүмкүн.",
                            client_key=secrets.token_hex(8)))
    db.session.add(Vote(hearing_id=held.id, agenda_item=item1, subject="Отчётту жактыруу жана кеңешке сунуштоо",
                        votes_for=12, votes_against=1, votes_abstained=1, client_key=secrets.token_hex(8)))
    db.session.add(Decision(hearing_id=held.id, agenda_item=item1,
                            text="Бюджеттин аткарылышы жөнүндө отчётту айылдык кеңешке бекитүүгө сунуш кылуу.",
                            client_key=secrets.token_hex(8)))
    db.session.add(Decision(hearing_id=held.id, agenda_item=item2,
                            text="Спорт аянтчасын кийинки жылдын бюджетинин долбооруна киргизүү.",
                            client_key=secrets.token_hex(8)))
    db.session.commit()
    ctx.data["upcoming_hearing"] = up
    ctx.data["held_hearing"] = held
