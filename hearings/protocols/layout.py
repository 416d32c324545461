"""The legal layout of the hearing protocol in ky, ru and en (shared/domain.md).

These are the fixed headings of an official document whose language the secretary chooses
independently of the interface language (a bilingual ky+ru edition has both on one PDF), so they
are kept here per language rather than in the UI catalogs.
"""

LABELS = {
    "protocol": {"ky": "ПРОТОКОЛ", "ru": "ПРОТОКОЛ", "en": "MINUTES"},
    "protocol_of": {"ky": "коомдук угуунун ПРОТОКОЛУ", "ru": "общественных слушаний",
                    "en": "of the public hearing"},
    "version": {"ky": "{n}-редакция (мурунку редакцияны алмаштырат)",
                "ru": "редакция {n} (заменяет предыдущую редакцию)",
                "en": "version {n} (supersedes the previous version)"},
    "correction": {"ky": "Оңдоонун себеби", "ru": "Причина исправления", "en": "Reason for the correction"},
    "village": {"ky": "{name} айылы", "ru": "с. {name}", "en": "{name} village"},
    "time": {"ky": "Өткөрүлгөн убактысы", "ru": "Время проведения", "en": "Time"},
    "time_value": {"ky": "саат {start} — {end}", "ru": "с {start} до {end}", "en": "from {start} to {end}"},
    "place": {"ky": "Өткөрүлгөн жери", "ru": "Место проведения", "en": "Venue"},
    "online": {"ky": "онлайн", "ru": "онлайн", "en": "online"},
    "organiser": {"ky": "Уюштуруучу", "ru": "Организатор", "en": "Organiser"},
    "basis": {"ky": "Негиз", "ru": "Основание", "en": "Legal basis"},
    "act": {"ky": "{date} № {no} актысы", "ru": "акт № {no} от {date}", "en": "act No. {no} of {date}"},
    "notice": {"ky": "кулактандыруу жарыяланды: {where}, {date}",
               "ru": "объявление опубликовано: {where}, {date}",
               "en": "notice published: {where}, {date}"},
    "notice_override": {"ky": "Кулактандыруу мөөнөтүнөн кеч жарыяланды; себеби",
                        "ru": "Объявление опубликовано позже установленного срока; причина",
                        "en": "The notice was published later than required; reason"},
    "chair": {"ky": "Төрага", "ru": "Председательствующий", "en": "Chair"},
    "secretary": {"ky": "Катчы", "ru": "Секретарь", "en": "Secretary"},
    "present": {"ky": "Катышкандар", "ru": "Присутствовали", "en": "Present"},
    "present_value": {
        "ky": "{total} адам (анын ичинде аялдар {women}, 28 жашка чейинки жаштар {youth}) — "
              "катышуучулардын тизмеси (1-тиркеме)",
        "ru": "{total} чел. (в т.ч. женщин {women}, молодёжи до 28 лет {youth}) — "
              "лист регистрации (Приложение 1)",
        "en": "{total} people (incl. {women} women, {youth} young people under 28) — "
              "attendance list (Annex 1)"},
    "invited": {"ky": "Чакырылгандар", "ru": "Приглашённые", "en": "Invited"},
    "agenda": {"ky": "КҮН ТАРТИБИ", "ru": "ПОВЕСТКА ДНЯ", "en": "AGENDA"},
    "heard": {"ky": "УГУЛДУ", "ru": "СЛУШАЛИ", "en": "HEARD"},
    "questions": {"ky": "СУРООЛОР ЖАНА ЖООПТОР", "ru": "ВОПРОСЫ И ОТВЕТЫ", "en": "QUESTIONS AND ANSWERS"},
    "question": {"ky": "Суроо", "ru": "Вопрос", "en": "Question"},
    "answer": {"ky": "Жооп", "ru": "Ответ", "en": "Answer"},
    "spoke": {"ky": "ЧЫГЫП СҮЙЛӨДҮ", "ru": "ВЫСТУПИЛИ", "en": "SPOKE"},
    "proposals": {"ky": "КЕЛИП ТҮШКӨН СУНУШТАР", "ru": "ПОСТУПИВШИЕ ПРЕДЛОЖЕНИЯ", "en": "PROPOSALS RECEIVED"},
    "other_proposals": {"ky": "КҮН ТАРТИБИНИН МАСЕЛЕСИНЕ БАЙЛАНЫШПАГАН СУНУШТАР",
                        "ru": "ПРЕДЛОЖЕНИЯ, НЕ ОТНЕСЁННЫЕ К ВОПРОСУ ПОВЕСТКИ",
                        "en": "PROPOSALS NOT LINKED TO AN AGENDA ITEM"},
    "no": {"ky": "№", "ru": "№", "en": "No."},
    "author": {"ky": "Ким", "ru": "Автор", "en": "Author"},
    "content": {"ky": "Мазмуну", "ru": "Содержание", "en": "Content"},
    "budget_line": {"ky": "Бюджеттин беренеси", "ru": "Статья бюджета", "en": "Budget line"},
    "amount": {"ky": "Суммасы", "ru": "Сумма", "en": "Amount"},
    "decision": {"ky": "Чечим", "ru": "Решение, обоснование", "en": "Decision, reason"},
    "votes": {"ky": "ДОБУШ БЕРҮҮНҮН ЖЫЙЫНТЫГЫ", "ru": "ГОЛОСОВАЛИ", "en": "VOTED"},
    "votes_value": {"ky": "«макул» — {for_}, «каршы» — {against}, «калыс калгандар» — {abstained}.",
                    "ru": "«за» — {for_}, «против» — {against}, «воздержались» — {abstained}.",
                    "en": "for — {for_}, against — {against}, abstained — {abstained}."},
    "resolved": {"ky": "ЧЕЧИМ КЫЛЫНДЫ (СУНУШ КЫЛЫНДЫ)", "ru": "РЕШИЛИ (РЕКОМЕНДОВАЛИ)",
                 "en": "RESOLVED (RECOMMENDED)"},
    "signature": {"ky": "(колу)", "ru": "(подпись)", "en": "(signature)"},
    "annexes": {"ky": "Тиркемелер", "ru": "Приложения", "en": "Annexes"},
    "annex_attendance": {"ky": "катышуучулардын тизмеси", "ru": "лист регистрации", "en": "attendance list"},
    "annex_proposals": {"ky": "сунуштардын тизмеси", "ru": "перечень предложений", "en": "register of proposals"},
    "annex_budget": {"ky": "жарандык бюджет", "ru": "гражданский бюджет", "en": "citizens' budget"},
    "annex_n": {"ky": "{n}-тиркеме", "ru": "Приложение {n}", "en": "Annex {n}"},
    "attendance_title": {"ky": "КАТЫШУУЧУЛАРДЫН ТИЗМЕСИ", "ru": "ЛИСТ РЕГИСТРАЦИИ участников",
                         "en": "ATTENDANCE LIST"},
    "full_name": {"ky": "Фамилиясы, аты, атасынын аты", "ru": "ФИО", "en": "Full name"},
    "address": {"ky": "Айылы, көчөсү, үйү", "ru": "Село, улица, дом", "en": "Village, street, house"},
    "category": {"ky": "Категориясы", "ru": "Категория", "en": "Category"},
    "gender": {"ky": "Жынысы", "ru": "Пол", "en": "Gender"},
    "youth": {"ky": "28 жашка чейин", "ru": "До 28 лет", "en": "Under 28"},
    "nobody": {"ky": "Катышуучулар катталган эмес.", "ru": "Участники не зарегистрированы.",
               "en": "No participants were checked in."},
    "proposals_title": {"ky": "СУНУШТАРДЫН ТИЗМЕСИ", "ru": "ПЕРЕЧЕНЬ ПРЕДЛОЖЕНИЙ", "en": "REGISTER OF PROPOSALS"},
    "no_proposals": {"ky": "Сунуштар келип түшкөн жок.", "ru": "Предложений не поступило.",
                     "en": "No proposals were received."},
    "comments_title": {"ky": "Долбоор боюнча пикирлердин тизмеси", "ru": "Реестр комментариев к проекту",
                       "en": "Register of comments on the draft"},
    "comment": {"ky": "Пикир", "ru": "Комментарий", "en": "Comment"},
    "line_or_section": {"ky": "Берене / бөлүм", "ru": "Статья / раздел", "en": "Line / section"},
    "answer_col": {"ky": "Жооп, себеби", "ru": "Ответ, обоснование", "en": "Answer, reason"},
    "budget_title": {"ky": "ЖАРАНДЫК БЮДЖЕТ", "ru": "ГРАЖДАНСКИЙ БЮДЖЕТ", "en": "CITIZENS' BUDGET"},
    "revenue": {"ky": "Кирешелер", "ru": "Доходы", "en": "Revenue"},
    "expenditure": {"ky": "Чыгашалар", "ru": "Расходы", "en": "Expenditure"},
    "balance": {"ky": "Айырма", "ru": "Разница", "en": "Balance"},
    "share": {"ky": "Үлүшү", "ru": "Доля", "en": "Share"},
    "expenditure_by_category": {"ky": "Чыгашалар багыттар боюнча", "ru": "Расходы по направлениям",
                                "en": "Expenditure by category"},
    "draft_watermark": {"ky": "ДОЛБООР — кол коюлган эмес", "ru": "ПРОЕКТ — не подписан",
                        "en": "DRAFT — not signed"},
    "page": {"ky": "бет", "ru": "стр.", "en": "page"},
    "signed_paper": {"ky": "Кагаз жүзүндө кол коюлган", "ru": "Подписано на бумаге", "en": "Signed on paper"},
    "municipality": {"ky": "«{name}» муниципалитети", "ru": "муниципалитет «{name}»",
                     "en": "{name} municipality"},
}

DECISIONS = {
    "accepted": {"ky": "кабыл алынды", "ru": "принято", "en": "accepted"},
    "rejected": {"ky": "четке кагылды", "ru": "отклонено", "en": "rejected"},
    "pending": {"ky": "каралууда", "ru": "на рассмотрении", "en": "under consideration"},
    "partly": {"ky": "жарым-жартылай кабыл алынды", "ru": "принято частично", "en": "partly accepted"},
}

CATEGORIES = {
    "resident": {"ky": "тургун", "ru": "житель", "en": "resident"},
    "deputy": {"ky": "депутат", "ru": "депутат", "en": "deputy"},
    "ngo": {"ky": "КЭУ", "ru": "НКО", "en": "NGO"},
    "specialist": {"ky": "адис", "ru": "специалист", "en": "specialist"},
    "media": {"ky": "ЖМК", "ru": "СМИ", "en": "media"},
}

GENDERS = {
    "female": {"ky": "аял", "ru": "жен.", "en": "female"},
    "male": {"ky": "эркек", "ru": "муж.", "en": "male"},
}


def subject(hearing, lang, municipality_name, fiscal_year):
    """The title line after the number: what the hearing was about, per domain.md."""
    m = municipality_name
    if hearing.kind == "draft_budget":
        return {
            "ky": f"«{m}» муниципалитетинин {fiscal_year}-жылга карата жергиликтүү бюджетинин "
                  f"долбоору боюнча коомдук угуунун ПРОТОКОЛУ",
            "ru": f"общественных слушаний по проекту местного бюджета муниципалитета «{m}» "
                  f"на {fiscal_year} год",
            "en": f"of the public hearing on the draft local budget of {m} for {fiscal_year}",
        }[lang]
    if hearing.kind == "execution_report":
        return {
            "ky": f"«{m}» муниципалитетинин {fiscal_year}-жылдагы жергиликтүү бюджетинин "
                  f"аткарылышы жөнүндө отчёт боюнча коомдук угуунун ПРОТОКОЛУ",
            "ru": f"общественных слушаний по отчёту об исполнении местного бюджета муниципалитета "
                  f"«{m}» за {fiscal_year} год",
            "en": f"of the public hearing on the {fiscal_year} budget execution report of {m}",
        }[lang]
    if hearing.kind == "charter":
        return {
            "ky": f"«{m}» муниципалитетинин жергиликтүү жамаатынын уставынын долбоору боюнча "
                  f"коомдук угуунун ПРОТОКОЛУ",
            "ru": f"общественных слушаний по проекту устава местного сообщества муниципалитета «{m}»",
            "en": f"of the public hearing on the draft community charter of {m}",
        }[lang]
    return {
        "ky": f"«{hearing.title}» маселеси боюнча коомдук угуунун ПРОТОКОЛУ",
        "ru": f"общественных слушаний по вопросу «{hearing.title}»",
        "en": f"of the public hearing on «{hearing.title}»",
    }[lang]


def label(key, lang, **values):
    text = LABELS[key].get(lang) or LABELS[key]["en"]
    return text.format(**values) if values else text


def pick(table, key, lang):
    entry = table.get(key or "")
    return entry.get(lang, entry["en"]) if entry else (key or "")
