"""Benchmark data: small data through the ORM, bulk data with PostgreSQL COPY (psycopg).

`copy_rows` fills every column a row leaves out from the model's own Python default (the
schema has few server defaults), assigns ids itself and moves the id sequence past them, so
ORM inserts after a bulk load keep working.
"""
import random
import secrets
from datetime import timedelta
from decimal import Decimal

from bench.common import present

PASSWORD_HASH = "scrypt:32768:8:1$benchbenchbench0$" + "0" * 128  # nobody logs in with it


def table(name):
    from hearings.extensions import db

    return db.metadata.tables[name]


def _default(column, now):
    d = column.default
    if d is None:
        return None
    if d.is_callable:
        return now  # every callable default in this schema is utcnow
    if d.is_scalar:
        return d.arg
    return None


def next_id(conn, name):
    return conn.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"').fetchone()[0]


def copy_rows(conn, name, rows, now):
    """COPY dict rows into table `name` (psycopg connection); returns the number of rows."""
    t = table(name)
    cols = [c for c in t.columns]
    names = ", ".join(f'"{c.name}"' for c in cols)
    defaults = {c.name: _default(c, now) for c in cols}
    n = 0
    with conn.cursor() as cur:
        with cur.copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c.name] if c.name in row else defaults[c.name] for c in cols])
                n += 1
        if "id" in t.c and t.c.id.type.python_type is int:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))")
    return n


def psycopg_conn(url):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


# ------------------------------------------------------------------ residents

def add_residents(url, municipality_ids, per_municipality=None, total=None, prefix="r"):
    """Confirmed residents spread over municipalities (COPY); returns {municipality_id: [ids]}."""
    from hearings.core.models import utcnow

    now = utcnow()
    with psycopg_conn(url) as conn:
        villages = {}
        for vid, mid in conn.execute("SELECT id, municipality_id FROM village ORDER BY id"):
            villages.setdefault(mid, []).append(vid)
        start = next_id(conn, "user")
        out = {mid: [] for mid in municipality_ids}
        rng = random.Random(7)

        def rows():
            uid = start
            count = total if total is not None else per_municipality * len(municipality_ids)
            for i in range(count):
                mid = municipality_ids[i % len(municipality_ids)]
                out[mid].append(uid)
                yield {"id": uid, "email": f"{prefix}{uid}@bench.kg", "password_hash": PASSWORD_HASH,
                       "full_name": f"Резидент {uid}", "municipality_id": mid,
                       "village_id": rng.choice(villages[mid]) if villages.get(mid) else None,
                       "locale": "ky", "gender": rng.choice(("female", "male")),
                       "birth_year": rng.randint(1950, 2006), "consent_at": now,
                       "email_confirmed_at": now, "created_at": now, "updated_at": now}
                uid += 1

        copy_rows(conn, "user", rows(), now)
        conn.commit()
    return out


# ------------------------------------------------------------------ participatory budgeting

def pb_process(municipality, phase, n_priorities=100, title="Бюджет участия", budget=10_000_000,
               kind="knapsack", rule="greedy"):
    """A PB process in `phase` ("voting" or "results") with n accepted priorities (ORM)."""
    from hearings.core.models import utcnow
    from hearings.extensions import db
    from hearings.priorities.models import PBProcess, Priority

    now = utcnow()
    if phase == "voting":
        dates = (now - timedelta(days=30), now - timedelta(days=20), now - timedelta(days=1),
                 now + timedelta(days=10), now + timedelta(days=40))
    else:  # results
        dates = (now - timedelta(days=60), now - timedelta(days=50), now - timedelta(days=30),
                 now - timedelta(days=1), now + timedelta(days=40))
    p = PBProcess(municipality_id=municipality.id, title=title, description="Жергиликтүү демилгелер",
                  budget=Decimal(budget), categories=["Жолдор", "Суу", "Мектеп"],
                  submission_opens=dates[0], submission_closes=dates[1], voting_opens=dates[2],
                  voting_closes=dates[3], execution_starts=dates[4], ballot_kind=kind, rule=rule)
    db.session.add(p)
    db.session.flush()
    rng = random.Random(p.id)
    village_ids = [v.id for v in municipality.villages]
    for i in range(n_priorities):
        db.session.add(Priority(
            process_id=p.id, title=f"Долбоор №{i + 1}: көчө жарыгы жана суу түтүгү",
            description="Айылдагы көчөлөргө жарык орнотуу жана суу түтүгүн оңдоо. " * 3,
            category=rng.choice(["Жолдор", "Суу", "Мектеп"]),
            village_id=rng.choice(village_ids) if village_ids else None,
            estimated_cost=Decimal(rng.randrange(50_000, 600_000, 1000)), status="accepted"))
    db.session.commit()
    return p


def add_ballots(url, process_ids, per_process, n_choices=3, with_participation=True):
    """Anonymous ballots (and as many participations) for processes, with COPY. Each ballot
    approves `n_choices` random accepted priorities of its process."""
    import json

    from hearings.core.models import utcnow

    now = utcnow()
    rng = random.Random(11)
    with psycopg_conn(url) as conn:
        options = {}
        for pid, prid in conn.execute(
                "SELECT process_id, id FROM pb_priority WHERE status = 'accepted' ORDER BY id"):
            options.setdefault(pid, []).append(str(prid))

        def ballots():
            for pid in process_ids:
                opts = options[pid]
                for _ in range(per_process):
                    chosen = sorted(rng.sample(opts, min(n_choices, len(opts))), key=lambda s: (len(s), s))
                    yield {"id": secrets.token_hex(16), "process_id": pid,
                           "receipt": secrets.token_hex(5).upper(), "channel": "online",
                           "content": json.dumps({"approve": chosen})}

        n = copy_rows(conn, "pb_ballot", ballots(), now)
        if with_participation:
            start = next_id(conn, "pb_participation")

            def participations():
                pk = start
                for pid in process_ids:
                    for i in range(per_process):
                        yield {"id": pk, "process_id": pid, "user_id": None,
                               "full_name": f"Катышуучу {i}", "channel": "assisted",
                               "gender": rng.choice(("female", "male")),
                               "age_group": rng.choice(("under_28", "28_45", "46_60", "over_60")),
                               "created_at": now}
                        pk += 1

            copy_rows(conn, "pb_participation", participations(), now)
        conn.commit()
    return n


# ------------------------------------------------------------------ drafts

def draft_budget(municipality, n_lines=40):
    """A published draft budget with `n_lines` lines (ORM); returns the Draft."""
    from hearings.core.models import utcnow
    from hearings.drafts.models import Draft, DraftVersion, BudgetLine
    from hearings.extensions import db

    now = utcnow()
    d = Draft(municipality_id=municipality.id, kind="budget", fiscal_year=2027,
              title_ky="2027-жылдын бюджетинин долбоору", title_ru="Проект бюджета на 2027 год",
              title_en="Draft budget 2027", summary="Долбоор коомдук талкууга коюлду.",
              status="published", comments_from=now.date() - timedelta(days=2),
              comments_until=now.date() + timedelta(days=20))
    v = DraftVersion(number=1, published_at=now - timedelta(days=2))
    d.versions.append(v)
    cats = ["education", "health", "culture", "utilities", "water", "roads", "administration"]
    for i in range(n_lines):
        kind = "revenue" if i < n_lines // 4 else "expenditure"
        v.lines.append(BudgetLine(
            position=i + 1, kind=kind, code=f"{1000 + i}", name_ky=f"Берене {i + 1}",
            name_ru=f"Статья {i + 1}", name_en=f"Line {i + 1}", category=cats[i % len(cats)],
            amount=Decimal(100_000 + 3_517 * i), prev_approved=Decimal(95_000 + 3_100 * i),
            prev_executed=Decimal(90_000 + 3_000 * i), note=""))
    db.session.add(d)
    db.session.commit()
    return d


# ------------------------------------------------------------------ hearings

def add_hearings(url, municipality_ids, total, status="announced"):
    """Public hearings spread over municipalities (COPY), half in the future."""
    from hearings.core.models import utcnow

    now = utcnow()
    with psycopg_conn(url) as conn:
        start = next_id(conn, "hearing")

        def rows():
            for i in range(total):
                mid = municipality_ids[i % len(municipality_ids)]
                when = now + timedelta(days=(i % 40) - 20)
                yield {"id": start + i, "municipality_id": mid, "kind": "draft_budget",
                       "title": f"Бюджеттин долбоору боюнча коомдук угуу №{i + 1}",
                       "starts_at": when, "ends_at": when + timedelta(hours=2),
                       "venue_address": "Айыл өкмөтүнүн имараты", "status": status,
                       "published_at": when - timedelta(days=15),
                       "proposal_deadline": when - timedelta(days=2),
                       "created_at": now, "updated_at": now}

        copy_rows(conn, "hearing", rows(), now)
        conn.commit()


def first_municipality(slug_hint=None):
    from sqlalchemy import select

    from hearings.extensions import db
    from hearings.territory.models import Municipality

    q = select(Municipality).order_by(Municipality.soate).limit(1)
    if slug_hint:
        q = select(Municipality).filter_by(slug=slug_hint)
    return db.session.execute(q).scalar_one()


def capability_flags():
    return {name: present(name) for name in ("drafts", "meetings", "priorities", "protocols",
                                             "documents")}
