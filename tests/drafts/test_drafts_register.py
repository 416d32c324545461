"""Answers, notification mail, moderation, the register (page, CSV, PDF) and the citizens' budget."""
import csv
import io

from pypdf import PdfReader

from hearings.core import mail
from hearings.core.audit import AuditEvent
from hearings.drafts import services
from hearings.drafts.models import Comment
from hearings.extensions import db

BASE = "/m/teploklyuchenka/drafts"


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_answer_notifies_author_and_unanswered_count(client, users, make_budget, login_as):
    draft = make_budget()
    line = draft.current_version.lines[2]
    c1 = services.add_comment(draft, users["resident"], "Жолго көбүрөөк акча", line_id=line.id)
    services.add_comment(draft, users["resident2"], "Рахмат")
    users["resident"].locale = "ru"
    db.session.commit()
    login_as(users["staff"])
    page = client.get(f"{BASE}/{draft.id}/answers").get_data(as_text=True)
    assert "Unanswered comments: 2" in page
    assert "Unanswered comments: 2" in client.get(f"{BASE}/").get_data(as_text=True)
    home = client.get("/m/teploklyuchenka/").get_data(as_text=True)
    assert "(2 unanswered comments)" in home
    r = client.post(f"{BASE}/{draft.id}/comments/{c1.id}/answer",
                    data={f"c{c1.id}-decision": "partly", f"c{c1.id}-reason": "Часть средств добавлена."})
    assert r.status_code == 302
    assert "Unanswered comments: 1" in client.get(f"{BASE}/{draft.id}/answers").get_data(as_text=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.recipients == ["resident@a.kg"]
    assert "Часть средств добавлена." in message.body and "Жолго көбүрөөк акча" in message.body
    assert f"/m/teploklyuchenka/drafts/{draft.id}/#c{c1.id}" in message.body
    assert db.session.query(AuditEvent).filter_by(action="draft.answer").count() == 1


def test_hidden_comment_logged_and_author_sees_why(client, users, make_budget, login_as):
    draft = make_budget()
    c = services.add_comment(draft, users["resident"], "Арзан кредит! Чалыңыз")
    login_as(users["staff"])
    r = client.post(f"{BASE}/{draft.id}/comments/{c.id}/hide", data={"reason": "Реклама"})
    assert r.status_code == 302
    event = db.session.query(AuditEvent).filter_by(action="draft.comment_hide").one()
    assert event.details["reason"] == "Реклама" and event.actor_id == users["staff"].id
    client.post("/account/logout")
    login_as(users["resident2"])
    page = client.get(f"{BASE}/{draft.id}/").get_data(as_text=True)
    assert "Hidden by the moderator: Реклама" in page and "Арзан кредит" not in page
    client.post("/account/logout")
    login_as(users["resident"])
    page = client.get(f"{BASE}/{draft.id}/").get_data(as_text=True)
    assert "Hidden by the moderator: Реклама" in page and "Арзан кредит" in page
    assert services.unanswered_count(draft) == 0


def test_register_page_csv_and_pdf(client, users, make_budget, login_as):
    draft = make_budget()
    line = draft.current_version.lines[2]
    c1 = services.add_comment(draft, users["resident"], "Жолго көбүрөөк акча бөлүңүз", line_id=line.id)
    c2 = services.add_comment(draft, users["resident2"], "Бала бакча керек")
    c3 = services.add_comment(draft, users["resident2"], "Спам")
    services.answer_comment(c1, users["staff"], "accepted", "Сумма өстү.")
    services.answer_comment(c2, users["staff"], "rejected", "Каражат жок.")
    services.hide_comment(c3, users["staff"], "Жарнама")
    page = client.get(f"{BASE}/{draft.id}/register?lang=en").get_data(as_text=True)
    assert "Comments: 3; answered: 2." in page
    r = client.get(f"{BASE}/{draft.id}/register.csv?lang=en")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["No.", "Date", "Author", "Village", "Subject", "Version", "Comment", "Decision", "Reason"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][2:] == ["Resident Тестов", "Теплоключенка-1", "0451 Road repairs", "1",
                           "Жолго көбүрөөк акча бөлүңүз", "Accepted", "Сумма өстү."]
    assert rows[2][4] == "The draft as a whole" and rows[2][7:] == ["Not accepted", "Каражат жок."]
    assert rows[3][6] == "Hidden by the moderator: Жарнама" and rows[3][7] == "No answer yet"

    r = client.get(f"{BASE}/{draft.id}/register.pdf?lang=ru")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert "Реестр" in text or "реестр" in text.lower()
    assert "Жолго көбүрөөк акча" in text and "Сумма өстү." in text and "Каражат жок." in text
    assert "Спам" not in text


def test_comments_register_html_for_the_protocol_annex(users, make_budget):
    draft = make_budget()
    c = services.add_comment(draft, users["resident"], "Жолдор")
    services.answer_comment(c, users["staff"], "partly", "Жарым-жартылай")
    html = str(services.comments_register_html(draft, "en"))
    assert "<table" in html and "Жолдор" in html and "Partly accepted" in html
    data = services.register_pdf(draft, "en")
    assert "Partly accepted" in pdf_text(data)


def test_citizens_budget_pdf_in_kyrgyz_and_russian(client, users, make_budget):
    draft = make_budget()
    r = client.get(f"{BASE}/{draft.id}/citizens-budget.pdf?lang=ky")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    ky = pdf_text(r.data)
    assert len(PdfReader(io.BytesIO(r.data)).pages) == 1
    assert "Жарандык бюджет" in ky
    assert "2 000,0 миң сом" in ky            # revenue 2 000 000 som
    assert "Кирешелер" in ky or "Киреше" in ky
    assert "Жолдорду оңдоо" in ky and "1 200,0 миң сом" in ky
    r = client.get(f"{BASE}/{draft.id}/citizens-budget.pdf?lang=ru")
    ru = pdf_text(r.data)
    assert "Гражданский бюджет" in ru and "2 000,0 тыс. сом" in ru and "Ремонт дорог" in ru
    # issued once per version and language, then served again from the registry
    again = client.get(f"{BASE}/{draft.id}/citizens-budget.pdf?lang=ru")
    assert again.data == r.data


def test_comment_on_a_charter_section_and_register_subject(client, users, make_charter, login_as):
    draft = make_charter()
    section = draft.current_version.sections[1]
    login_as(users["resident"])
    r = client.post(f"{BASE}/{draft.id}/comments", data={"text": "30 жетиштүү", "target": f"section-{section.id}"})
    assert r.status_code == 302
    assert db.session.query(Comment).one().section_id == section.id
    rows = services.register_rows(draft)
    assert rows[0]["subject"] == "2. Сход"


def test_execution_report_shows_executed_amounts(client, users, make_budget, english):
    from hearings.drafts.models import EXECUTION

    draft = make_budget()
    draft.kind = EXECUTION
    db.session.commit()
    page = client.get(f"{BASE}/{draft.id}/?lang=en").get_data(as_text=True)
    assert "Budget execution report" in page
    # approved vs executed with the execution rate, not "draft / last year" and "change"
    assert "Approved" in page and "Executed" in page and "Execution rate" in page
    assert "Draft<br>" not in page and ">Change<" not in page
    flat = " ".join(page.split())
    assert '<td class="num">1,000.0</td> <td class="num"><strong>990.0</strong></td> <td class="num down">99.0%</td>' in flat
    assert '<td class="num">850.0</td> <td class="num"><strong>845.0</strong></td> <td class="num down">99.4%</td>' in flat
    # expenditure totals: approved 1 850.0, executed 1 835.0, 99.2 %
    assert ('<th class="num">1,850.0</th><th class="num">1,835.0</th><th class="num">99.2%</th>' in flat)
    ru = " ".join(client.get(f"{BASE}/{draft.id}/?lang=ru").get_data(as_text=True).split())
    assert "99,2 %" in ru and "Исполнено" in ru  # split() turned the no-break space into a space
