"""Demo: a finished participatory budget (25 priorities, a few hundred ballots online and on
paper, execution updates) and an open one in Teploklyuchenka."""
import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from ..accounts.models import User
from ..core.models import utcnow
from ..extensions import db
from . import services
from .models import (Ballot, ExecutionUpdate, PaperBallot, Participation, PBProcess, Priority,
                     Supporter, age_group)

CATEGORIES = ["Суу менен камсыз кылуу", "Жолдор", "Көчө жарыгы", "Таштанды чыгаруу",
              "Жаштар спорту", "Билим берүү", "Саламаттык сактоо", "Маданият"]

PRIORITIES = [  # title, category index, village (ru), cost in som
    ("Ичүүчү суу түтүгүн алмаштыруу (Ленин көчөсү)", 0, "Теплоключенка", 850000),
    ("Мектептин спорт аянтчасы", 4, "Теплоключенка", 420000),
    ("Көчө жарыгы: Ак-Суу борбордук көчөсү", 2, "Ак-Суу", 310000),
    ("Бала бакчага жаңы оюнчуктар жана эмеректер", 5, "Богатырёвка", 180000),
    ("Таштанды контейнерлери (20 даана)", 3, "Теплоключенка", 240000),
    ("ФАПтын чатырын оңдоо", 6, "Чон-Кызыл-Суу", 360000),
    ("Клубдун сахнасын оңдоо", 7, "Ак-Суу", 280000),
    ("Көпүрөнү бекемдөө", 1, "Чон-Кызыл-Суу", 900000),
    ("Аялдама (автобус)", 1, "Богатырёвка", 150000),
    ("Футбол талаасына тор", 4, "Ак-Суу", 160000),
    ("Сугат арыгын тазалоо", 0, "Богатырёвка", 270000),
    ("Китепканага компьютерлер", 5, "Теплоключенка", 330000),
    ("Көчө жарыгы: Мира көчөсү", 2, "Теплоключенка", 260000),
    ("Жол белгилери жана тротуар", 1, "Теплоключенка", 540000),
    ("Балдар аянтчасы", 4, "Чон-Кызыл-Суу", 350000),
    ("Суу скважинасы", 0, "Чон-Кызыл-Суу", 780000),
    ("Мектептин ашканасын жабдуу", 5, "Ак-Суу", 450000),
    ("Мончо жана кир жуучу жай", 6, "Богатырёвка", 620000),
    ("Айыл борборундагы сквер", 7, "Теплоключенка", 390000),
    ("Таштанды чыгаруучу трактордун тиркемеси", 3, "Ак-Суу", 480000),
    ("Музыкалык мектепке аспаптар", 7, "Богатырёвка", 210000),
    ("Ветеринардык пункт", 6, "Ак-Суу", 560000),
    ("Жаштар борбору", 4, "Теплоключенка", 700000),
    ("Көчө жарыгы: Чоң-Кызыл-Суу", 2, "Чон-Кызыл-Суу", 290000),
    ("Мүрзөнүн тосмосу", 7, "Богатырёвка", 230000),
]


def _process(municipality, title, budget, opens, kind="knapsack", rule="greedy", **extra):
    day = timedelta(days=1)
    p = PBProcess(municipality_id=municipality.id, title=title, budget=Decimal(budget),
                  categories=CATEGORIES, ballot_kind=kind, rule=rule, min_projects=1,
                  submission_opens=opens, submission_closes=opens + 20 * day,
                  voting_opens=opens + 35 * day, voting_closes=opens + 49 * day,
                  execution_starts=opens + 60 * day, **extra)
    db.session.add(p)
    db.session.flush()
    return p


def _ballot(rng, priorities, budget, favourite_village):
    order = sorted(priorities, key=lambda p: rng.random() * (0.45 if p.village_id == favourite_village else 1.0)
                   / (1 + p.id % 7 / 10))
    chosen, spent = [], Decimal(0)
    for p in order[:rng.randint(2, 7)]:
        if spent + p.cost <= budget:
            chosen.append(p.pid)
            spent += p.cost
    if not chosen:
        chosen.append(order[-1].pid)
    return {"approve": sorted(chosen, key=int)}


def seed(ctx):
    main = ctx.municipalities["teploklyuchenka"]
    villages = {v.name_ru: v for v in main.villages}
    residents = ctx.users["residents"]
    rng = random.Random(7)
    now = utcnow()

    # ---- finished process: last year's, results published, execution under way
    done = _process(main, "Жарандардын бюджетке катышуусу 2026", 3_000_000, now - timedelta(days=150))
    priorities = []
    for i, (title, cat, village, cost) in enumerate(PRIORITIES):
        author = residents[i % len(residents)]
        status = "rejected" if i in (17, 21) else "accepted"
        p = Priority(process_id=done.id, author_id=author.id, title=title,
                     description=f"{title}. Айыл тургундарынын сунушу боюнча.",
                     category=CATEGORIES[cat], village_id=villages[village].id,
                     estimated_cost=Decimal(cost), status=status,
                     adjusted_cost=Decimal(cost + 20000) if i % 5 == 0 else None,
                     feasibility_note="Техникалык жактан мүмкүн." if status == "accepted" else "",
                     public_reason="Бул иш райондун бюджетинен каржыланат." if status == "rejected" else "")
        p.created_at = p.updated_at = done.submission_opens + timedelta(days=i % 18, hours=i)
        p.supporters.append(Supporter(user_id=author.id))
        for other in residents:
            if other.id != author.id and rng.random() < 0.4:
                p.supporters.append(Supporter(user_id=other.id))
        db.session.add(p)
        priorities.append(p)
    db.session.flush()
    accepted = [p for p in priorities if p.status == "accepted"]

    # online voters: bulk-inserted demo accounts sharing one password hash (fast)
    password = generate_password_hash("voter-demo-1")
    vlist = list(villages.values())
    users = []
    for n in range(1, 221):
        village = vlist[n % len(vlist)]
        users.append({"email": f"voter{n:03d}@demo.kg", "password_hash": password,
                      "full_name": f"Демо Шайлоочу {n:03d}", "municipality_id": main.id,
                      "village_id": village.id, "locale": "ky", "gender": "female" if n % 2 else "male",
                      "birth_year": 1950 + n % 55, "email_confirmed_at": now, "consent_at": now,
                      "is_admin": False, "active": True, "session_version": 0, "show_initials": False})
    db.session.execute(insert(User), users)
    voters = db.session.execute(select(User.id, User.village_id, User.gender, User.birth_year)
                                .where(User.email.like("voter%@demo.kg"))).all()
    ctx.logins.append(("voter (any of 220)", "voter001@demo.kg", "voter-demo-1"))
    participations, ballots = [], []
    for uid, village_id, gender, birth_year in voters:
        participations.append({"process_id": done.id, "user_id": uid, "channel": "online",
                               "village_id": village_id, "gender": gender, "full_name": "",
                               "age_group": age_group(birth_year), "created_at": now})
        ballots.append({"id": secrets.token_hex(16), "process_id": done.id,
                        "receipt": services.new_receipt(), "channel": "online",
                        "content": _ballot(rng, accepted, done.budget, village_id)})
    # paper voters (marked in the participation list) and their ballots
    papers = []
    for serial in range(1, 86):
        village = vlist[serial % len(vlist)]
        participations.append({"process_id": done.id, "user_id": None, "channel": "paper",
                               "village_id": village.id, "gender": "female" if serial % 3 else "male",
                               "full_name": f"Кагаз шайлоочу {serial}", "created_at": now,
                               "age_group": ("under_28", "28_45", "46_60", "over_60")[serial % 4]})
        status = "blank" if serial in (13, 40) else "spoiled" if serial in (27, 66, 80) else "valid"
        row = {"process_id": done.id, "serial": serial, "status": status, "first_content": None,
               "first_by_id": ctx.users["secretary"].id, "mismatch": False, "ballot_id": None,
               "second_status": None, "second_content": None, "second_by_id": None}
        if status == "valid":
            content = _ballot(rng, accepted, done.budget, village.id)
            bid = secrets.token_hex(16)
            ballots.append({"id": bid, "process_id": done.id, "receipt": services.paper_receipt(serial),
                            "channel": "paper", "content": content})
            row.update(first_content=content, ballot_id=bid)
            if serial % 4 == 0:  # checked by a second clerk
                row.update(second_status=status, second_content=content, second_by_id=ctx.users["staff"].id)
        papers.append(row)
    db.session.execute(insert(Participation), participations)
    db.session.execute(insert(Ballot), ballots)
    db.session.execute(insert(PaperBallot), papers)
    db.session.flush()

    # execution of the funded projects
    funded = services.results(done)["selected"]
    steps = [("done", 100, "Иш толук бүттү, комиссия кабыл алды."),
             ("in_progress", 60, "Материалдар сатылып алынды, иш жүрүп жатат."),
             ("in_progress", 30, "Подрядчик тандалды, иш башталды."),
             ("planned", 0, "Тендер жарыяланды.")]
    for k, pid in enumerate(funded):
        status, progress, note = steps[k % len(steps)]
        p = db.session.get(Priority, int(pid))
        p.execution_status, p.execution_progress = status, progress
        db.session.add(ExecutionUpdate(priority_id=p.id, day=date.today() - timedelta(days=10 + k),
                                       status=status, progress=progress, note=note,
                                       author_id=ctx.users["staff"].id))
    ctx.data["pb_finished"] = done

    # ---- open process: voting now
    live = _process(main, "Жарандардын бюджетке катышуусу 2027", 2_000_000, now - timedelta(days=38),
                    min_share=Decimal("0.5"))
    for i, (title, cat, village, cost) in enumerate(PRIORITIES[:10]):
        author = residents[i % len(residents)]
        p = Priority(process_id=live.id, author_id=author.id, title=title,
                     description=f"{title}. Айыл тургундарынын сунушу боюнча.",
                     category=CATEGORIES[cat], village_id=villages[village].id,
                     estimated_cost=Decimal(cost), status="rejected" if i == 7 else "accepted",
                     public_reason="Бул иш райондун бюджетинен каржыланат." if i == 7 else "")
        p.created_at = p.updated_at = live.submission_opens + timedelta(days=i % 18, hours=i)
        p.supporters.append(Supporter(user_id=author.id))
        db.session.add(p)
    ctx.data["pb_open"] = live
    db.session.commit()
