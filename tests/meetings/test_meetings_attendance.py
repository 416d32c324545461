"""Attendance list PDF (two forms) in ky/ru/en: headings, rows, totals, masked phones, never a PIN."""
import io
import re

from pypdf import PdfReader

from hearings.meetings import services
from hearings.meetings.documents import attendance_pdf

BASE = "/m/teploklyuchenka/hearings"


def text_of(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(p.extract_text() for p in reader.pages)


def flat(text):
    return re.sub(r"\s+", " ", text)


def fill(hearing, users, n_present=30):
    people = []
    for i in range(n_present + 2):
        r = services.register(hearing, full_name=f"Катышуучу {i:02d}", phone=f"+9965550{i:05d}",
                              village="Ак-Суу", gender="female" if i % 3 == 0 else "male",
                              age_group="youth" if i % 4 == 0 else "adult", category="resident",
                              pin="12501199000012" if i == 0 else None, consent=True)
        people.append(r)
    for r in people[:n_present]:
        services.check_in(hearing, r.code, users["secretary"])
    return people


def test_attendance_list_ky_and_ru(client, users, login_as, hearing):
    fill(hearing, users)
    login_as(users["secretary"])
    response = client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&lang=ky")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader, text = text_of(response.data)
    text = flat(text)
    assert "КАТЫШУУЧУЛАРЫНЫН ТИЗМЕСИ" in text
    assert "коомдук угуунун" in text
    assert "Колу" in text                                       # signature column
    assert len(reader.pages) >= 2
    assert "бет 1 / %d" % len(reader.pages) in text
    # header repeats on every page
    for page in reader.pages:
        assert "Аты-жөнү" in flat(page.extract_text())
    # 30 checked-in rows (the 2 not present are not listed), numbered 1..30
    names = re.findall(r"Катышуучу \d\d", text)
    assert len(names) == 30
    assert "Катышуучу 31" not in text
    # totals: 30 present, women = i % 3 == 0 among 0..29 → 10, youth i % 4 == 0 → 8
    assert "Бардыгы катышты: 30, анын ичинде аялдар: 10, 28 жашка чейинки жаштар: 8." in text
    # signature lines stay with the last rows: on the last page together with row 30
    last = flat(reader.pages[-1].extract_text())
    assert "Катышуучу 29" in last and "Төрага" in last and "Катчы" in last
    # public copy: phones masked, never a PIN
    assert "+99655500001" not in text.replace(" ", "")
    assert "12501199000012" not in text and "ПИН" not in text

    ru = flat(text_of(client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=list&lang=ru").data)[1])
    assert "ЛИСТ РЕГИСТРАЦИИ участников общественных слушаний по проекту местного бюджета" in ru
    assert "Всего присутствовало: 30, в том числе женщин: 10, молодёжи до 28 лет: 8." in ru
    assert "Председатель" in ru and "Секретарь" in ru
    assert "стр. 1 /" in ru


def test_phone_masked_in_public_copy_only(app, users, hearing):
    fill(hearing, users, n_present=3)
    public = text_of(attendance_pdf(hearing, form="list", lang="en", public=True))[1]
    internal = text_of(attendance_pdf(hearing, form="list", lang="en", public=False))[1]
    assert "+9965550000001" not in public.replace(" ", "")
    assert "+9965550000" in internal.replace(" ", "")
    for text in (public, internal):
        assert "12501199000012" not in text


def test_blank_sign_in_sheet(client, users, login_as, new_hearing):
    hearing = new_hearing(capacity=20)
    for i in range(4):
        services.register(hearing, full_name=f"Алдын ала {i}", phone=f"+99655500000{i}")
    login_as(users["staff"])
    reader, text = text_of(client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=sheet&lang=en").data)
    assert "ATTENDANCE LIST" in flat(text)
    assert len(re.findall(r"Алдын ала \d", text)) == 4
    # pre-registered rows plus empty numbered rows up to the capacity: 20 rows in all
    numbers = [int(n) for n in re.findall(r"^(\d{1,2})\b", text, flags=re.M)]
    assert max(numbers) == 20
    assert "Total present: ____" in flat(text)
    assert client.get(f"{BASE}/{hearing.id}/attendance.pdf?form=nonsense").status_code == 400
