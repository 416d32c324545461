"""Demo users: an admin, staff/secretary/chair of Teploklyuchenka, staff elsewhere, residents."""
from ..core.models import utcnow
from ..extensions import db
from .models import Membership, User

RESIDENTS = [
    ("Асанова Айгүл Бакытовна", "aigul@demo.kg", "female", "Теплоключенка"),
    ("Токтогулов Нурлан Эрмекович", "nurlan@demo.kg", "male", "Ак-Суу"),
    ("Иванова Светлана Петровна", "svetlana@demo.kg", "female", "Богатырёвка"),
    ("Жумабеков Эмил Талантович", "emil@demo.kg", "male", "Теплоключенка"),
]


def _user(ctx, label, name, email, password, municipality, **extra):
    user = User(full_name=name, email=email, municipality_id=municipality.id,
                email_confirmed_at=utcnow(), consent_at=utcnow(), **extra)
    user.set_password(password)
    db.session.add(user)
    ctx.logins.append((label, email, password))
    return user


def seed(ctx):
    main = ctx.municipalities["teploklyuchenka"]
    villages = {v.name_ru: v for v in main.villages}
    ctx.users["admin"] = _user(ctx, "admin", "Платформа Администратор", "admin@demo.kg",
                               "admin-demo-1", main, is_admin=True, locale="ru")
    for role, name, gender in (("staff", "Осмонова Жылдыз Асановна", "female"),
                               ("secretary", "Бекова Нургүл Маратовна", "female"),
                               ("chair", "Садыков Бакыт Жумабекович", "male")):
        user = _user(ctx, f"{role} (Teploklyuchenka)", name, f"{role}@demo.kg", f"{role}-demo-1",
                     main, gender=gender, village_id=villages["Теплоключенка"].id)
        user.memberships.append(Membership(municipality_id=main.id, role=role))
        ctx.users[role] = user
    for i, (slug, m) in enumerate(list(ctx.municipalities.items())[1:], start=1):
        user = _user(ctx, f"staff ({m.name_en})", f"Кызматкер {i}", f"staff{i}@demo.kg",
                     "staff-demo-1", m)
        user.memberships.append(Membership(municipality_id=m.id, role="staff"))
        user.memberships.append(Membership(municipality_id=m.id, role="secretary"))
        ctx.users[f"staff:{slug}"] = user
    for name, email, gender, village in RESIDENTS:
        user = _user(ctx, "resident", name, email, "resident-demo-1", main, gender=gender,
                     village_id=villages[village].id)
        ctx.users.setdefault("residents", []).append(user)
    ctx.users["resident"] = ctx.users["residents"][0]
    db.session.commit()
