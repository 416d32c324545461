"""Benchmark 4 — documents: attendance list (500 and 2,000 rows), protocol with 50 proposals.

    .venv/bin/python bench/docs.py

For each document, in a fresh child process: the app's own path (query, Jinja, WeasyPrint
through hearings.core.documents) timed on one (cold) run, and its peak memory (max RSS);
then, in another fresh child, bare WeasyPrint on the very same HTML (same fonts, same URL
fetcher), timed and measured the same way (one cold run per process: fonts load in both);
app and bare alternate `repeat` times (default 2) and each side's fastest run is kept. Target: app ≤ 1.3× bare. Signing: the PAdES
signature of the produced PDF with the development platform seal (pyHanko).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (PYTHON, ROOT, create_schema, load_territory, make_app,  # noqa: E402
                          present, recreate_database, sa_url, skipped, write_json)

DB = "bench_docs"


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ data

def build():
    """A held hearing per case: 500 and 2,000 checked-in people; 100 people and 50 proposals."""
    import secrets

    from hearings.core.models import utcnow
    from hearings.extensions import db
    from hearings.meetings.models import AgendaItem, Hearing, Proposal, Registration
    from bench import seed

    url = recreate_database(DB)
    app = make_app(url)
    create_schema(app)
    load_territory(app)
    ids = {}
    with app.app_context():
        m = seed.first_municipality()
        now = utcnow()
        for key, people, proposals in (("attendance-500", 500, 0), ("attendance-2000", 2000, 0),
                                       ("protocol-50", 100, 50)):
            h = Hearing(municipality_id=m.id, kind="draft_budget",
                        title="2027-жылдын бюджетинин долбоору боюнча коомдук угуу",
                        starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1, hours=-2),
                        venue_address="Айыл өкмөтүнүн чоң залы", status="held",
                        published_at=now - timedelta(days=20), opened_at=now - timedelta(days=1),
                        closed_at=now - timedelta(days=1, hours=-2), chair_name="Асанов Б.",
                        secretary_name="Токтогулова А.", organiser="Айыл өкмөтү",
                        basis_act_no="12", basis_act_date=(now - timedelta(days=25)).date())
            db.session.add(h)
            db.session.flush()
            item = AgendaItem(hearing_id=h.id, position=1, title="Бюджеттин долбоору жөнүндө",
                              rapporteur="Сыдыкова Г.", summary="Финансы бөлүмүнүн башчысы баяндады.")
            db.session.add(item)
            db.session.flush()
            for i in range(people):
                db.session.add(Registration(
                    hearing_id=h.id, code=secrets.token_hex(5), token=secrets.token_hex(16),
                    channel="online", full_name=f"Жумабаева Гүлнара Сооронбаевна {i + 1}",
                    village="Теплоключенка, Ленин көчөсү, " + str(i % 120 + 1),
                    phone=f"+99670{i:07d}", status="registered", position=i + 1,
                    gender=("female", "male")[i % 2], age_group=("youth", "adult")[i % 3 == 0],
                    category="resident", consent=True,
                    checked_in_at=now - timedelta(days=1, minutes=-i % 90)))
            for i in range(proposals):
                db.session.add(Proposal(
                    hearing_id=h.id, agenda_item_id=item.id, number=i + 1, source="floor",
                    author_name=f"Токтосунов Нурлан {i + 1}",
                    content="Мектептин чатырын оңдоого каражат көбөйтүү жана көчө жарыгын орнотуу. " * 2,
                    budget_line=f"Берене {i + 1}", amount=100_000 + 1_000 * i,
                    decision=("accepted", "rejected", "pending")[i % 3],
                    decision_reason="Бюджеттин мүмкүнчүлүгүнө жараша."))
            db.session.commit()
            ids[key] = h.id
    return ids


# ------------------------------------------------------------------ children

def child_app(case, hearing_id, html_out):
    from hearings.core import documents as core_documents
    from hearings.extensions import db

    app = make_app(sa_url(DB), CERTS_DIR=tempfile.mkdtemp(prefix="aimak-bench-certs-"))
    captured = {}
    real = core_documents.render_template

    def capture(template, **context):
        html = real(template, **context)
        captured["html"] = html
        return html

    core_documents.render_template = capture
    import gc

    gc.freeze()  # as the production entry point (wsgi.py) does after creating the app
    with app.app_context(), app.test_request_context(base_url="http://127.0.0.1"):
        from hearings.meetings.models import Hearing

        def once():
            db.session.expire_all()
            hearing = db.session.get(Hearing, hearing_id)
            if case.startswith("attendance"):
                from hearings.meetings.documents import attendance_pdf

                return attendance_pdf(hearing, "list", lang="ky", official=False)
            from hearings.protocols.services import render_preview

            return render_preview(hearing, "ky")

        base = rss_mb()
        t0 = time.perf_counter()  # one cold run, like the bare child: fonts load in both
        pdf = once()
        seconds = time.perf_counter() - t0
        Path(html_out).write_text(captured["html"], encoding="utf-8")
        result = {"seconds": seconds, "peak_mb": peak_mb(), "base_mb": base, "pdf_bytes": len(pdf)}
        try:
            from hearings.documents.signing import ensure_dev_ca, platform_seal, sign_pdf

            ensure_dev_ca()
            seal = platform_seal()
            sign_pdf(pdf, [seal], lang="ky", reason="bench")  # warm
            t0 = time.perf_counter()
            sign_pdf(pdf, [seal], lang="ky", reason="bench")
            result["sign_seconds"] = time.perf_counter() - t0
        except Exception as error:  # noqa: BLE001 — reported, not hidden
            result["sign_error"] = f"{type(error).__name__}: {error}"
    print("RESULT " + json.dumps(result))


def child_bare(html_file):
    from weasyprint import HTML

    from hearings.core.documents import safe_fetcher  # the same fonts and fetcher as the app

    html = Path(html_file).read_text(encoding="utf-8")
    base = rss_mb()

    def once():
        return HTML(string=html, base_url="aimak-static:/", url_fetcher=safe_fetcher).write_pdf()

    t0 = time.perf_counter()
    pdf = once()
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "base_mb": base,
                                  "pdf_bytes": len(pdf)}))


def spawn(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([PYTHON, __file__, *map(str, args)], capture_output=True, text=True,
                         env=env, cwd=str(ROOT), timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"child {args} failed:\n{out.stderr[-3000:]}")


def run(repeat=2):
    title = "4. Documents: app vs bare WeasyPrint on the same HTML (target ≤ 1.3×)"
    notes = []
    if not present("meetings"):
        return {"title": title, "table": "", "notes": [skipped("meetings")], "rows": []}
    ids = build()
    cases = [("Attendance list, 500 rows", "attendance-500"),
             ("Attendance list, 2,000 rows", "attendance-2000")]
    if present("protocols"):
        cases.append(("Protocol, 50 proposals (100 present)", "protocol-50"))
    else:
        notes.append(skipped("protocols"))
    rows = []
    for label, key in cases:
        html_file = tempfile.NamedTemporaryFile(suffix=".html", delete=False).name
        # alternate app / bare, `repeat` times each, and keep each side's fastest run: a busy
        # machine then slows one side less than the other by chance
        runs_a, runs_b = [], []
        for _ in range(repeat):
            runs_a.append(spawn("--child-app", key, ids[key], html_file))
            runs_b.append(spawn("--child-bare", html_file))
        Path(html_file).unlink()
        a = dict(min(runs_a, key=lambda r: r["seconds"]))
        b = dict(min(runs_b, key=lambda r: r["seconds"]))
        a["peak_mb"] = max(r["peak_mb"] for r in runs_a)
        b["peak_mb"] = max(r["peak_mb"] for r in runs_b)
        signs = [r["sign_seconds"] for r in runs_a if r.get("sign_seconds") is not None]
        a["sign_seconds"] = min(signs) if signs else None
        a["sign_error"] = next((r["sign_error"] for r in runs_a if r.get("sign_error")), None)
        rows.append({"document": label, "app_s": a["seconds"], "bare_s": b["seconds"],
                     "ratio": a["seconds"] / b["seconds"], "app_peak_mb": a["peak_mb"],
                     "bare_peak_mb": b["peak_mb"], "app_delta_mb": a["peak_mb"] - a["base_mb"],
                     "bare_delta_mb": b["peak_mb"] - b["base_mb"], "pdf_kb": a["pdf_bytes"] / 1024,
                     "sign_s": a.get("sign_seconds"), "sign_error": a.get("sign_error")})
        print(rows[-1], flush=True)
        if a.get("sign_error"):
            notes.append(f"signing failed for {label}: {a['sign_error']}")
    lines = ["| document | app s | bare WeasyPrint s | app ÷ bare | peak MB app / bare "
             "(growth during render) | PDF KB | signing s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ok = "" if r["ratio"] <= 1.3 else " ✗"
        sign = f"{r['sign_s']:.3f}" if r["sign_s"] is not None else "failed"
        lines.append(f"| {r['document']} | {r['app_s']:.2f} | {r['bare_s']:.2f} | {r['ratio']:.2f}×{ok} | "
                     f"{r['app_peak_mb']:.0f} / {r['bare_peak_mb']:.0f} (+{r['app_delta_mb']:.0f} / "
                     f"+{r['bare_delta_mb']:.0f}) | {r['pdf_kb']:.0f} | {sign} |")
    text = "\n".join(lines)
    write_json("docs", {"rows": rows, "notes": notes})
    print(text)
    return {"title": title, "table": text, "notes": notes, "rows": rows}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-app":
        child_app(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-bare":
        child_bare(sys.argv[2])
    else:
        run()
