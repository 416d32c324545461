"""Authorization across municipalities: staff of B can neither read A's unpublished drafts nor
change anything of A; residents cannot use staff pages; bad ids give 404, never 500."""

from hearings.drafts import services
from hearings.drafts.models import Comment, Draft
from hearings.extensions import db

BASE = "/m/teploklyuchenka/drafts"


def test_staff_of_b_cannot_read_unpublished_or_change_anything_of_a(client, users, make_budget, login_as):
    private = make_budget(publish=False)
    public = make_budget()
    comment = services.add_comment(public, users["resident"], "Пикир")
    private_line = private.working_version.lines[0]
    login_as(users["staff_b"])
    for url in (f"{BASE}/{private.id}/", f"{BASE}/{private.id}/register", f"{BASE}/{private.id}/register.csv",
                f"{BASE}/{private.id}/citizens-budget.pdf", f"{BASE}/{private.id}/diff"):
        assert client.get(url).status_code == 404, url
    # the index lists only public drafts to outsiders
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert f"/drafts/{public.id}/" in page and f"drafts/{private.id}/" not in page
    # staff pages and every write of A: 403
    today = services.today_local().isoformat()
    forbidden = [
        ("get", f"{BASE}/new", None),
        ("post", f"{BASE}/new", {"kind": "budget", "title_ru": "X", "fiscal_year": "2027"}),
        ("get", f"{BASE}/{private.id}/edit", None),
        ("get", f"{BASE}/{public.id}/answers", None),
        ("post", f"{BASE}/{private.id}/meta", {"title_ru": "Hacked"}),
        ("post", f"{BASE}/{private.id}/lines", {"kind": "revenue", "code": "9", "name_ru": "X", "category": "other", "amount": "1"}),
        ("post", f"{BASE}/{private.id}/lines/{private_line.id}", {"kind": "revenue", "code": "9", "name_ru": "X", "category": "other", "amount": "1"}),
        ("post", f"{BASE}/{private.id}/lines/{private_line.id}/delete", {}),
        ("post", f"{BASE}/{private.id}/publish", {"opens": today, "closes": today}),
        ("post", f"{BASE}/{public.id}/new-version", {}),
        ("post", f"{BASE}/{public.id}/close", {}),
        ("post", f"{BASE}/{public.id}/adopt", {"resolution_no": "1", "resolution_date": today}),
        ("post", f"{BASE}/{public.id}/withdraw", {"reason": "x"}),
        ("post", f"{BASE}/{public.id}/comments/{comment.id}/answer", {f"c{comment.id}-decision": "accepted"}),
        ("post", f"{BASE}/{public.id}/comments/{comment.id}/hide", {"reason": "x"}),
        ("post", f"{BASE}/{public.id}/comments/{comment.id}/unhide", {}),
    ]
    for method, url, data in forbidden:
        r = getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)
        assert r.status_code == 403, (method, url, r.status_code)
    db.session.expire_all()
    assert private.status == "draft" and private.title_ru == "Бюджет 2027"
    assert public.status == "published" and len(public.versions) == 1
    assert db.session.get(Comment, comment.id).answer is None
    assert db.session.query(Draft).count() == 2
    # B's residents may read A's public draft but not comment on it
    client.post("/account/logout")
    login_as(users["resident_b"])
    assert client.get(f"{BASE}/{public.id}/").status_code == 200
    r = client.post(f"{BASE}/{public.id}/comments", data={"text": "Мен башка айылданмын"})
    assert r.status_code == 403
    assert "Only residents of this municipality may comment" in r.get_data(as_text=True)


def test_residents_and_anonymous_get_no_staff_pages(client, users, make_budget, login_as):
    draft = make_budget(publish=False)
    assert client.get(f"{BASE}/{draft.id}/").status_code == 404
    r = client.get(f"{BASE}/{draft.id}/edit")
    assert r.status_code == 302 and "/account/login" in r.headers["Location"]
    assert client.post(f"{BASE}/{draft.id}/comments", data={"text": "x"}).status_code == 404
    login_as(users["resident"])
    assert client.get(f"{BASE}/{draft.id}/edit").status_code == 403
    assert client.get(f"{BASE}/new").status_code == 403


def test_staff_of_a_may_see_unpublished_and_ids_of_other_drafts_are_404(client, users, make_budget, login_as,
                                                                         other_municipality):
    draft = make_budget(publish=False)
    other = make_budget(m=other_municipality, staff=users["staff_b"])
    other_line = other.current_version.lines[0]
    login_as(users["staff"])
    assert client.get(f"{BASE}/{draft.id}/").status_code == 200
    assert client.get(f"{BASE}/{draft.id}/edit").status_code == 200
    # a draft of B through A's URL, and a line of B's draft through A's draft: 404
    assert client.get(f"{BASE}/{other.id}/").status_code == 404
    assert client.get(f"{BASE}/{draft.id}/lines/{other_line.id}").status_code == 404
    assert client.get(f"{BASE}/{draft.id}/comments/12345/answer").status_code == 404
    assert client.get("/m/no-such-place/drafts/").status_code == 404
    assert client.get(f"{BASE}/{draft.id}/?v=abc").status_code == 200
    assert client.get(f"{BASE}/{draft.id}/?v=99").status_code == 404


def test_bad_input_gives_4xx_with_message(client, users, make_budget, login_as, english):
    draft = make_budget()
    login_as(users["staff"])
    r = client.post(f"{BASE}/new", data={"kind": "budget", "fiscal_year": "abc"})
    assert r.status_code == 400 and "Not a valid integer value." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/new", data={"kind": "nonsense", "title_ru": "X"})
    assert r.status_code == 400 and "Not a valid choice." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/new", data={"kind": "budget"})
    assert r.status_code == 400 and "Give the draft a title" in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/import", data={})
    assert r.status_code == 400
    comment = services.add_comment(draft, users["resident"], "Пикир")
    r = client.post(f"{BASE}/{draft.id}/comments/{comment.id}/answer",
                    data={f"c{comment.id}-decision": "rejected", f"c{comment.id}-reason": ""})
    assert r.status_code == 400 and "Give the reason for the decision." in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/comments/{comment.id}/answer", data={f"c{comment.id}-decision": "maybe"})
    assert r.status_code == 400
    r = client.post(f"{BASE}/{draft.id}/comments/{comment.id}/hide", data={"reason": ""})
    assert r.status_code == 400 and "Give the reason for hiding" in r.get_data(as_text=True)
    r = client.post(f"{BASE}/{draft.id}/publish", data={"opens": "2026-13-45", "closes": "x"})
    assert r.status_code == 409 or r.status_code == 400
