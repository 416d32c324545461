"""Demo: a draft budget for next year (≈40 lines, two published versions) and a community
charter (15 sections, two versions), both open for comment in Teploklyuchenka, with comments,
official answers and one hidden comment. Hands them over in ctx.data["draft_budget"/"charter"]."""
from datetime import timedelta
from decimal import Decimal

from ..core.models import utcnow
from ..extensions import db
from . import services
from .models import BUDGET, CHARTER, EXPENDITURE, REVENUE

# (kind, code, ky, ru, en, category, amount in som)
REVENUES = [
    ("11111100", "Киреше салыгы", "Подоходный налог", "Personal income tax", "other", 9_850_000),
    ("11411100", "Имарат жана курулуштарга мүлк салыгы", "Налог на имущество (здания и сооружения)", "Property tax on buildings", "other", 2_150_000),
    ("11412100", "Айыл чарба жерлерине жер салыгы", "Земельный налог на сельхозугодья", "Land tax on farmland", "other", 6_420_000),
    ("11412200", "Калктуу конуштардагы жер салыгы", "Земельный налог в населённых пунктах", "Land tax in villages", "other", 1_380_000),
    ("11421100", "Транспорт каражаттарына мүлк салыгы", "Налог на транспортные средства", "Vehicle tax", "other", 3_940_000),
    ("11511100", "Сатуудан алынуучу салык", "Налог с продаж", "Sales tax", "other", 2_710_000),
    ("11611100", "Патенттин негизиндеги салык", "Налог на основе патента", "Patent-based tax", "other", 1_960_000),
    ("14211100", "Муниципалдык мүлктү ижарага берүү", "Аренда муниципального имущества", "Lease of municipal property", "other", 1_250_000),
    ("14212100", "Муниципалдык жерлерди ижарага берүү", "Аренда муниципальных земель", "Lease of municipal land", "other", 4_830_000),
    ("14221200", "Базар кызматтары үчүн төлөмдөр", "Плата за услуги рынка", "Market fees", "other", 1_600_000),
    ("14231300", "Таштанды чыгаруу үчүн төлөм", "Плата за вывоз мусора", "Waste collection fees", "waste", 2_350_000),
    ("14232100", "Ичүүчү суу үчүн төлөм", "Плата за питьевую воду", "Drinking water fees", "water", 1_900_000),
    ("13311100", "Теңдештирүүчү гранттар", "Выравнивающий грант из республиканского бюджета", "Equalisation grant", "other", 11_600_000),
    ("13311200", "Мектеп тамагы үчүн максаттуу трансферт", "Целевой трансферт на школьное питание", "Earmarked transfer for school meals", "education", 3_120_000),
    ("14411100", "Донорлордун гранттары", "Гранты доноров", "Donor grants", "other", 4_500_000),
]
EXPENDITURES = [
    ("01.1.1", "Айыл өкмөтүнүн аппаратынын эмгек акысы", "Оплата труда аппарата айыл окмоту", "Salaries of the aiyl okmotu staff", "administration", 9_240_000),
    ("01.1.2", "Социалдык фондго төгүмдөр", "Отчисления в Социальный фонд", "Social Fund contributions", "administration", 1_640_000),
    ("01.1.3", "Кеңсе чыгашалары жана байланыш", "Канцелярские расходы и связь", "Office supplies and communications", "administration", 420_000),
    ("01.1.4", "Кызматтык транспорт жана күйүүчү май", "Служебный транспорт и ГСМ", "Official vehicles and fuel", "administration", 910_000),
    ("01.1.5", "Айылдык кеңештин чыгашалары", "Расходы айылного кенеша", "Aiyl kenesh expenses", "administration", 620_000),
    ("09.1.1", "Бала бакчаларды кармоо", "Содержание детских садов", "Kindergartens", "education", 12_450_000),
    ("09.2.1", "Мектеп окуучуларын тамактандыруу", "Питание школьников", "School meals", "education", 3_120_000),
    ("09.2.2", "Мектептерди оңдоо", "Ремонт школ", "School repairs", "education", 2_200_000),
    ("09.5.1", "Мугалимдерге батир жардамы", "Жилищная помощь учителям", "Housing support for teachers", "education", 360_000),
    ("08.2.1", "Маданият үйү", "Дом культуры", "House of culture", "culture", 2_080_000),
    ("08.2.2", "Китепкана", "Библиотека", "Library", "culture", 610_000),
    ("08.2.3", "Майрамдык иш-чаралар", "Праздничные мероприятия", "Public celebrations", "culture", 420_000),
    ("08.1.1", "Жаштар спорту жана ийримдер", "Молодёжный спорт и кружки", "Youth sports and clubs", "culture", 780_000),
    ("07.2.1", "ФАПтарды колдоо", "Поддержка ФАПов", "Support for village health posts", "health", 540_000),
    ("07.4.1", "Санитардык-эпидемиологиялык иш-чаралар", "Санитарно-эпидемиологические мероприятия", "Sanitary measures", "health", 310_000),
    ("06.6.1", "Коомдук имараттарды жылытуу", "Отопление общественных зданий", "Heating of public buildings", "utilities", 1_820_000),
    ("06.6.2", "Коомдук имараттардын электр энергиясы", "Электроэнергия общественных зданий", "Electricity of public buildings", "utilities", 1_090_000),
    ("05.1.1", "Таштанды чогултуу жана чыгаруу", "Сбор и вывоз мусора", "Waste collection and removal", "waste", 2_640_000),
    ("05.1.2", "Таштанды полигонун кармоо", "Содержание полигона ТБО", "Landfill upkeep", "waste", 700_000),
    ("06.3.1", "Суу түтүктөрүн оңдоо", "Ремонт водопроводных сетей", "Water network repairs", "water", 3_400_000),
    ("06.3.2", "Насос станциясынын электр энергиясы", "Электроэнергия насосной станции", "Pumping station electricity", "water", 930_000),
    ("06.4.1", "Көчө жарыгынын электр энергиясы", "Электроэнергия уличного освещения", "Street lighting electricity", "lighting", 850_000),
    ("04.5.1", "Айыл ичиндеги жолдорду оңдоо", "Ремонт внутрисельских дорог", "Village road repairs", "roads", 4_600_000),
    ("04.5.2", "Кар тазалоо", "Очистка дорог от снега", "Snow clearing", "roads", 600_000),
    ("04.5.3", "Көпүрөлөрдү оңдоо", "Ремонт мостов", "Bridge repairs", "roads", 1_100_000),
    ("10.7.1", "Аз камсыз болгон үй-бүлөлөргө жардам", "Помощь малообеспеченным семьям", "Aid to low-income families", "social", 900_000),
    ("10.2.1", "Ардагерлерге жардам", "Помощь ветеранам", "Support for veterans", "social", 300_000),
    ("10.1.1", "Мүмкүнчүлүгү чектелген адамдарга жардам", "Помощь лицам с ОВЗ", "Support for people with disabilities", "social", 350_000),
    ("04.2.1", "Ветеринардык кызматтар", "Ветеринарные услуги", "Veterinary services", "other", 450_000),
    ("04.1.1", "Жер түзүү иштери", "Землеустроительные работы", "Land management", "other", 500_000),
    ("01.7.1", "Резервдик фонд", "Резервный фонд", "Reserve fund", "other", 0),
]
# version 2 (the current one): what changed after the first comments
V2_CHANGES = {"04.5.1": 5_300_000, "09.1.1": 12_900_000, "04.5.2": 750_000}
V2_NEW = [("06.4.2", "LED көчө жарыгын орнотуу", "Установка светодиодного уличного освещения",
           "LED street lights", "lighting", 1_200_000),
          ("05.1.3", "Таштанды контейнерлерин сатып алуу", "Закупка мусорных контейнеров",
           "Waste containers", "waste", 480_000)]
V2_REMOVED = {"08.2.3"}
# last year's approved amount as a share of this year's, and execution of it (per mille)
PREV = (955, 1000, 912, 1040, 890, 968, 1000, 935, 870, 1012)
EXEC = (1003, 978, 991, 1000, 962, 1021, 944, 997, 985, 1008)

SECTIONS = [
    ("Жалпы жоболор", "Общие положения", "Настоящий устав определяет порядок участия членов местного сообщества Теплоключенского айылного аймака в решении вопросов местного значения."),
    ("Жергиликтүү жамаат", "Местное сообщество", "Членами местного сообщества являются граждане, постоянно проживающие на территории айылного аймака: сёл Теплоключенка, Ак-Суу, Богатырёвка и Чон-Кызыл-Суу."),
    ("Жамааттын мүчөлөрүнүн укуктары", "Права членов местного сообщества", "Члены местного сообщества вправе участвовать в сходах, курултаях и общественных слушаниях, вносить предложения в органы местного самоуправления и получать ответы в установленный срок."),
    ("Жамааттын мүчөлөрүнүн милдеттери", "Обязанности членов местного сообщества", "Члены местного сообщества бережно относятся к общему имуществу, соблюдают правила благоустройства и санитарного содержания территории."),
    ("Жыйын (сход)", "Сход граждан", "Сход созывается главой айыл окмоту или по инициативе не менее 50 членов местного сообщества. Решение схода принимается большинством присутствующих."),
    ("Курултай", "Курултай", "Курултай созывается не реже одного раза в год для обсуждения итогов социально-экономического развития айылного аймака."),
    ("Коомдук угуулар", "Общественные слушания", "Проект местного бюджета, отчёт о его исполнении и проект устава выносятся на общественные слушания. Объявление публикуется не позднее чем за 10 дней."),
    ("Жарандардын бюджетке катышуусу", "Участие граждан в бюджетном процессе", "Жители вправе предлагать приоритеты расходов местного бюджета. Предложения рассматриваются айыл окмоту с письменным ответом каждому автору."),
    ("Жарандык бюджет", "Гражданский бюджет", "Айыл окмоту ежегодно публикует гражданский бюджет — краткое и понятное изложение доходов и расходов на кыргызском и русском языках."),
    ("Мониторинг жана баалоо", "Мониторинг и оценка", "Члены местного сообщества могут создавать группы совместного мониторинга за выполнением проектов, финансируемых из местного бюджета."),
    ("Тазалык жана көрктөндүрүү", "Благоустройство и чистота", "Вывоз мусора производится по графику, утверждённому айыл окмоту. Жители участвуют в ежегодных ашарах по благоустройству."),
    ("Суу пайдалануу", "Водопользование", "Порядок пользования питьевой и поливной водой устанавливается айылным кенешем с учётом мнения жителей каждого села."),
    ("Жайыттар", "Пастбища", "Пастбища используются в соответствии с планом, утверждённым жайыт комитетом. Плата за пользование зачисляется в местный бюджет."),
    ("Маалыматка жетүү", "Доступ к информации", "Решения айылного кенеша и айыл окмоту публикуются на сайте, на информационных стендах и в группах мессенджеров в течение 5 рабочих дней."),
    ("Корутунду жоболор", "Заключительные положения", "Устав принимается айылным кенешем после общественных слушаний. Изменения вносятся в том же порядке."),
]
CHARTER_V2 = {
    5: "Сход созывается главой айыл окмоту или по инициативе не менее 30 членов местного сообщества. Решение схода принимается большинством присутствующих и публикуется в течение 5 дней.",
    14: "Решения айылного кенеша и айыл окмоту публикуются на сайте, на информационных стендах, в группах WhatsApp и Telegram в течение 3 рабочих дней.",
}

BUDGET_COMMENTS = [
    # (resident index, line code or None, text, answer decision, reason)
    (0, "04.5.1", "Көчөлөрдүн абалы өтө начар, өзгөчө Ленин көчөсү. Жолду оңдоого көбүрөөк каражат бөлүңүздөр.", "accepted", "Жолдорду оңдоого 5,3 млн сом каралды (2-версия); Ленин көчөсү биринчи кезекте."),
    (1, "06.4.1", "На окраине Ак-Суу нет ни одного фонаря. Просим предусмотреть освещение.", "partly", "Во 2-й версии добавлена статья 06.4.2 на светодиодные фонари; Ак-Суу — в плане на следующий год."),
    (2, "09.1.1", "В детском саду Богатырёвки очередь 40 детей. Нужна дополнительная группа.", "accepted", "Расходы на детские сады увеличены до 12,9 млн сом для открытия группы."),
    (3, None, "Бюджеттин долбоору түшүнүктүү жазылыптыр, рахмат. Жаштар спортуна көбүрөөк акча керек.", "rejected", "Бул жылы кошумча каражат жок; жаштар спорту донордук долбоор аркылуу колдоого алынат."),
    (1, "05.1.1", "Мусор из Чон-Кызыл-Суу вывозят раз в две недели, этого мало.", None, None),
    (0, "01.1.4", "Кызматтык унаага эмне үчүн мынча көп күйүүчү май?", None, None),
]
CHARTER_COMMENTS = [
    (1, 5, "Порог в 50 человек для созыва схода слишком высок для маленьких сёл. Предлагаем 30.", "accepted", "Принято: во 2-й версии порог снижен до 30 человек."),
    (0, 14, "Чечимдерди WhatsApp топторунда да жарыялоо керек.", "accepted", "Кабыл алынды: 14-беренеге WhatsApp жана Telegram кошулду."),
    (2, 13, "Нужно указать, кто входит в жайыт комитет.", "partly", "Состав комитета определяется Законом о пастбищах; ссылка будет добавлена в окончательную редакцию."),
    (3, None, "Уставды окуп чыктым, жакшы экен.", None, None),
]


def _lines(rows, kind):
    out = []
    for i, (code, ky, ru, en, category, amount) in enumerate(rows):
        amount = Decimal(amount)
        prev = (amount * PREV[i % len(PREV)] / 1000).quantize(Decimal("1000"))
        executed = (prev * EXEC[i % len(EXEC)] / 1000).quantize(Decimal("100"))
        out.append({"kind": kind, "code": code, "name_ky": ky, "name_ru": ru, "name_en": en,
                    "category": category, "amount": amount, "prev_approved": prev,
                    "prev_executed": executed, "note": ""})
    return out


def budget_rows():
    revenue = _lines(REVENUES, REVENUE)
    expenditure = _lines(EXPENDITURES, EXPENDITURE)
    total_rev = sum(r["amount"] for r in revenue)
    reserve = expenditure[-1]
    reserve["amount"] = total_rev - sum(r["amount"] for r in expenditure)  # balanced budget
    reserve["prev_approved"] = Decimal("600000")
    reserve["prev_executed"] = Decimal("412000")
    return revenue + expenditure


def _spread(comments, start):
    for i, c in enumerate(comments):
        c.created_at = start + timedelta(days=i // 2, hours=3 * i)


def seed(ctx):
    m = ctx.municipalities["teploklyuchenka"]
    staff = ctx.users["staff"]
    residents = ctx.users["residents"]
    today = services.today_local()
    year = today.year + 1

    # --- draft budget: version 1 published, comments, version 2 published ---------------------
    budget = services.create_draft(
        m, staff, BUDGET, fiscal_year=year,
        title_ky=f"Теплоключенка айыл аймагынын {year}-жылга карата жергиликтүү бюджетинин долбоору",
        title_ru=f"Проект местного бюджета Теплоключенского айылного аймака на {year} год",
        title_en=f"Draft local budget of Teploklyuchenka aiyl aimak for {year}",
        summary="Бюджеттин долбоору коомдук талкууга коюлду. / Проект бюджета вынесен на общественное обсуждение.")
    rows = budget_rows()
    services.replace_lines(budget, rows, "demo")
    services.publish(budget, today - timedelta(days=12), today + timedelta(days=9))
    first = budget.current_version
    first.published_at = utcnow() - timedelta(days=12)
    lines_v1 = {l.code: l for l in first.lines}
    made = []
    for who, code, text, *_rest in BUDGET_COMMENTS[:4]:
        made.append(services.add_comment(budget, residents[who], text,
                                         line_id=lines_v1[code].id if code else None))
    _spread(made, utcnow() - timedelta(days=11))

    v2 = services.new_version(budget, "Жолдорго, бала бакчаларга жана көчө жарыгына каражат көбөйтүлдү. / "
                                      "Увеличены расходы на дороги, детские сады и уличное освещение.")
    for line in list(v2.lines):
        if line.code in V2_CHANGES:
            line.amount = Decimal(V2_CHANGES[line.code])
        if line.code in V2_REMOVED:
            v2.lines.remove(line)
    position = len(v2.lines)
    from .models import BudgetLine

    for i, row in enumerate(_lines(V2_NEW, EXPENDITURE)):
        row["prev_approved"] = row["prev_executed"] = None
        v2.lines.append(BudgetLine(position=position + i + 1, **row))
    db.session.flush()
    revenue = v2.total(REVENUE)
    others = sum(l.amount for l in v2.lines if l.kind == EXPENDITURE and l.code != "01.7.1")
    next(l for l in v2.lines if l.code == "01.7.1").amount = revenue - others
    db.session.commit()
    services.publish(budget, today - timedelta(days=12), today + timedelta(days=9))
    budget.current_version.published_at = utcnow() - timedelta(days=5)
    lines_v2 = {l.code: l for l in budget.current_version.lines}
    later = []
    for who, code, text, *_rest in BUDGET_COMMENTS[4:]:
        later.append(services.add_comment(budget, residents[who], text,
                                          line_id=lines_v2[code].id if code else None))
    _spread(later, utcnow() - timedelta(days=4))
    for c, (_w, _c, _t, decision, reason) in zip(made + later, BUDGET_COMMENTS):
        if decision:
            services.answer_comment(c, staff, decision, reason)
    spam = services.add_comment(budget, residents[3], "Арзан кредит! Чалыңыз +996 555 000 000")
    services.hide_comment(spam, staff, "Жарнама / Реклама, не относится к проекту бюджета")
    db.session.commit()
    ctx.data["draft_budget"] = budget

    # --- community charter: two versions --------------------------------------------------------
    charter = services.create_draft(
        m, staff, CHARTER,
        title_ky="Теплоключенка айыл аймагынын жергиликтүү жамаатынын уставы (долбоор)",
        title_ru="Устав местного сообщества Теплоключенского айылного аймака (проект)",
        title_en="Charter of the local community of Teploklyuchenka aiyl aimak (draft)")
    services.replace_sections(charter, [{"number": str(i), "heading": ru, "text": text}
                                        for i, (_ky, ru, text) in enumerate(SECTIONS, start=1)], "demo")
    services.publish(charter, today - timedelta(days=20), today + timedelta(days=14))
    charter.current_version.published_at = utcnow() - timedelta(days=20)
    sections = {int(s.number): s for s in charter.current_version.sections}
    cc = [services.add_comment(charter, residents[who], text,
                               section_id=sections[n].id if n else None)
          for who, n, text, *_r in CHARTER_COMMENTS]
    _spread(cc, utcnow() - timedelta(days=18))
    v2 = services.new_version(charter, "Учтены предложения жителей по статьям 5 и 14.")
    for s in v2.sections:
        if int(s.number) in CHARTER_V2:
            s.text = CHARTER_V2[int(s.number)]
    db.session.commit()
    services.publish(charter, today - timedelta(days=20), today + timedelta(days=14))
    for c, (_w, _n, _t, decision, reason) in zip(cc, CHARTER_COMMENTS):
        if decision:
            services.answer_comment(c, staff, decision, reason)
    db.session.commit()
    ctx.data["charter"] = charter
