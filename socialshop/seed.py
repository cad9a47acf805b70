"""Demo data: shoppers with a saved card and a PIN, three shops, products, posts on the four apps.

    python -m socialshop.seed                   # seed the configured database (after migrating)
    python -m socialshop.seed --print-accounts  # only list the demo accounts

Idempotent: every row is looked up by a natural key first (emails, shop slugs, product
titles per shop, each seeded post's picture URL), so a second run adds nothing and
never overwrites what people changed while using the demo.

Fundraisers start at €0 raised: raised_cents must always equal what the ledger holds for
the fundraiser, and a seeded total would have no ledger transactions behind it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlmodel import Session, select

from socialshop import images
from socialshop.models import (
    AppSurface,
    Comment,
    Fundraiser,
    Language,
    Like,
    PaymentMethod,
    PayProfile,
    Post,
    Product,
    ProductCategory,
    ProductTag,
    Role,
    ShippingAddress,
    Shop,
    User,
    utcnow,
)
from socialshop.payments import CardInput, PaymentProvider, get_provider
from socialshop.services.security import hash_secret

DEMO_PASSWORD = "socialshop-demo"
DEMO_PIN = "3917"
DEMO_CARD = "4242424242424242"
POST_IMAGE_PREFIX = "/generated/posts/seed-"


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    name: str
    phone: str
    language: str
    role: Role = Role.SHOPPER
    # (line1, city, postal code) for shoppers who get a Pay profile and a card
    address: tuple[str, str, str] | None = None


USERS = [
    DemoUser(
        "giulia",
        "giulia@example.com",
        "Giulia Rossi",
        "+39 347 555 0101",
        Language.IT.value,
        address=("Via Roma 12", "Cagliari", "09124"),
    ),
    DemoUser(
        "marco",
        "marco@example.com",
        "Marco Bianchi",
        "+39 348 555 0102",
        Language.EN.value,
        address=("Corso Vittorio Emanuele 45", "Quartu Sant'Elena", "09045"),
    ),
    DemoUser("anna", "anna@example.com", "Anna Ferraro", "+39 349 555 0103", Language.IT.value),
    DemoUser("davide", "davide@example.com", "Davide Conti", "+39 340 555 0104", Language.EN.value),
    DemoUser(
        "bottega",
        "bottega@example.com",
        "Chiara Verdi",
        "+39 070 555 0201",
        Language.EN.value,
        Role.MERCHANT,
    ),
    DemoUser(
        "caffe",
        "caffe@example.com",
        "Luca Moretti",
        "+39 070 555 0202",
        Language.EN.value,
        Role.MERCHANT,
    ),
    DemoUser(
        "libreria",
        "libreria@example.com",
        "Sara Esposito",
        "+39 070 555 0203",
        Language.EN.value,
        Role.MERCHANT,
    ),
    DemoUser("support", "support@example.com", "Elena Support", "+39 070 555 0300", Language.EN.value, Role.SUPPORT),
]


@dataclass(frozen=True)
class DemoShop:
    owner: str
    name: str
    slug: str
    description: str
    city: str
    fee_package: str
    # (title, description, price in cents, stock)
    products: list[tuple[str, str, int, int]] = field(default_factory=list)


SHOPS = [
    DemoShop(
        "bottega",
        "Bottega Verde",
        "bottega-verde",
        "Prodotti artigianali sardi: olio, saponi, ceramiche e tessuti fatti a mano.",
        "Cagliari",
        "starter",
        [
            (
                "Olio extravergine del Sinis 0,75 l",
                "Spremitura a freddo di olive Bosana, raccolta di ottobre.",
                1890,
                40,
            ),
            (
                "Sapone all'olio d'oliva e lavanda",
                "Saponificato a freddo, 120 g, profumato con lavanda di montagna.",
                650,
                50,
            ),
            (
                "Ciotola in ceramica di Oristano",
                "Tornita e smaltata a mano, diametro 18 cm. Ogni pezzo è unico.",
                3200,
                12,
            ),
            ("Tovaglia di lino grezzo", "Lino lavato 100%, 150 x 250 cm, per sei persone.", 5400, 8),
            ("Miele di corbezzolo 250 g", "Il miele amaro della Sardegna, raccolto in autunno.", 1450, 20),
            (
                "Cestino intrecciato in asfodelo",
                "Intrecciato a mano a Castelsardo, ideale per il pane.",
                4800,
                6,
            ),
            ("Candela al mirto", "Cera di soia e oli essenziali di mirto, 40 ore di luce.", 1600, 25),
            ("Pecorino sardo stagionato 500 g", "Latte di pecora crudo, stagionatura di 12 mesi.", 1750, 18),
            ("Grembiule in tela di cotone", "Tela robusta color salvia con tasca frontale.", 2800, 15),
            ("Tagliere in legno d'ulivo", "Legno d'ulivo massello, 35 x 20 cm, trattato con olio.", 3900, 10),
            ("Crema mani al fico d'India", "Idratante e leggera, 75 ml, senza profumi aggiunti.", 1200, 30),
        ],
    ),
    DemoShop(
        "caffe",
        "Caffè Aurora",
        "caffe-aurora",
        "Torrefazione di quartiere dal 1962: miscele, dolci da colazione e tutto per il caffè.",
        "Cagliari",
        "growth",
        [
            (
                "Caffè in grani Miscela Aurora 1 kg",
                "70% arabica, 30% robusta, tostatura media. Note di cacao.",
                2490,
                35,
            ),
            ("Caffè macinato per moka 250 g", "Macinatura pensata per la moka, lattina salvaroma.", 690, 50),
            (
                "Moka in rame 3 tazze (edizione limitata)",
                "Ultimo pezzo della serie in rame martellato a mano.",
                5900,
                1,
            ),
            (
                "Tazzine in porcellana (set da 6)",
                "Porcellana bianca spessa che tiene il caffè caldo.",
                3600,
                9,
            ),
            (
                "Cantucci alle mandorle 300 g",
                "Biscotti secchi alle mandorle, perfetti con il vin santo.",
                790,
                40,
            ),
            ("Amaretti morbidi di Sardegna 200 g", "Mandorle, zucchero e albume: nient'altro.", 650, 30),
            ("Torrone al miele 150 g", "Torrone morbido di Tonara con miele millefiori.", 890, 22),
            (
                "Tè verde al gelsomino 100 g",
                "Foglie intere, profumo delicato, in barattolo di latta.",
                950,
                14,
            ),
            ("Cioccolata calda densa (5 buste)", "Da preparare con il latte: densa come al bar.", 1100, 25),
            ("Macinacaffè manuale in legno", "Macine in acciaio regolabili, cassetto in noce.", 4400, 5),
            ("Biscotti al burro e arancia 250 g", "Burro fresco e scorza d'arancia di Muravera.", 720, 28),
        ],
    ),
    DemoShop(
        "libreria",
        "Libreria del Porto",
        "libreria-del-porto",
        "Libri, quaderni e piccoli regali vicino al porto di Cagliari.",
        "Cagliari",
        "pro",
        [
            (
                "Racconti del porto",
                "Dodici storie di marinai, pescatori e viaggiatori. 224 pagine.",
                1600,
                20,
            ),
            (
                "Ricettario della nonna sarda",
                "Ottanta ricette di famiglia, dalla fregola alle seadas.",
                2200,
                15,
            ),
            (
                "Quaderno in pelle A5",
                "Copertina in pelle conciata al vegetale, 192 pagine a righe.",
                1900,
                25,
            ),
            (
                "Segnalibri in ottone (set da 3)",
                "Ottone inciso con motivi di onde, conchiglie e fari.",
                1200,
                40,
            ),
            (
                "Guida ai sentieri della Sardegna",
                "Quaranta escursioni con mappe e tempi di percorrenza.",
                1850,
                12,
            ),
            ("Mappa antica del Mediterraneo", "Stampa su carta di cotone, 50 x 70 cm.", 2500, 7),
            (
                "Poesie di mare: antologia",
                "Poeti italiani del Novecento che hanno scritto del mare.",
                1400,
                18,
            ),
            ("Agenda settimanale in lino", "Copertina in lino blu, settimana su due pagine.", 2100, 22),
            ("Penna stilografica in resina blu", "Pennino medio in acciaio, converter incluso.", 3800, 4),
            (
                "Il faro e il gabbiano (libro illustrato)",
                "Per bambini dai 4 anni: un'amicizia in riva al mare.",
                1500,
                16,
            ),
            (
                "Puzzle 1000 pezzi: Golfo degli Angeli",
                "Il tramonto sul golfo di Cagliari, 68 x 48 cm.",
                2300,
                9,
            ),
        ],
    ),
]

# Each demo product's category (Pay → Insights groups spending by it); unlisted: "other".
PRODUCT_CATEGORIES: dict[str, ProductCategory] = {
    "Olio extravergine del Sinis 0,75 l": ProductCategory.FOOD,
    "Sapone all'olio d'oliva e lavanda": ProductCategory.BEAUTY,
    "Ciotola in ceramica di Oristano": ProductCategory.HOME,
    "Tovaglia di lino grezzo": ProductCategory.HOME,
    "Miele di corbezzolo 250 g": ProductCategory.FOOD,
    "Cestino intrecciato in asfodelo": ProductCategory.HOME,
    "Candela al mirto": ProductCategory.HOME,
    "Pecorino sardo stagionato 500 g": ProductCategory.FOOD,
    "Grembiule in tela di cotone": ProductCategory.HOME,
    "Tagliere in legno d'ulivo": ProductCategory.HOME,
    "Crema mani al fico d'India": ProductCategory.BEAUTY,
    "Caffè in grani Miscela Aurora 1 kg": ProductCategory.DRINKS,
    "Caffè macinato per moka 250 g": ProductCategory.DRINKS,
    "Moka in rame 3 tazze (edizione limitata)": ProductCategory.HOME,
    "Tazzine in porcellana (set da 6)": ProductCategory.HOME,
    "Cantucci alle mandorle 300 g": ProductCategory.FOOD,
    "Amaretti morbidi di Sardegna 200 g": ProductCategory.FOOD,
    "Torrone al miele 150 g": ProductCategory.FOOD,
    "Tè verde al gelsomino 100 g": ProductCategory.DRINKS,
    "Cioccolata calda densa (5 buste)": ProductCategory.DRINKS,
    "Macinacaffè manuale in legno": ProductCategory.HOME,
    "Biscotti al burro e arancia 250 g": ProductCategory.FOOD,
    "Racconti del porto": ProductCategory.BOOKS,
    "Ricettario della nonna sarda": ProductCategory.BOOKS,
    "Quaderno in pelle A5": ProductCategory.STATIONERY,
    "Segnalibri in ottone (set da 3)": ProductCategory.STATIONERY,
    "Guida ai sentieri della Sardegna": ProductCategory.BOOKS,
    "Mappa antica del Mediterraneo": ProductCategory.HOME,
    "Poesie di mare: antologia": ProductCategory.BOOKS,
    "Agenda settimanale in lino": ProductCategory.STATIONERY,
    "Penna stilografica in resina blu": ProductCategory.STATIONERY,
    "Il faro e il gabbiano (libro illustrato)": ProductCategory.BOOKS,
    "Puzzle 1000 pezzi: Golfo degli Angeli": ProductCategory.TOYS,
}

# (shop owner key, caption, picture label, tagged product indexes)
SHOP_POSTS: list[tuple[str, str, str, list[int]]] = [
    (
        "caffe",
        "La colazione perfetta esiste: Miscela Aurora e cantucci appena sfornati ☕",
        "Colazione da Aurora",
        [0, 4],
    ),
    ("bottega", "Il nuovo raccolto è arrivato! Olio del Sinis, spremuto a freddo.", "Olio nuovo", [0]),
    (
        "libreria",
        "Novità in vetrina: Racconti del porto, storie di chi va per mare.",
        "Novità in vetrina",
        [0, 3],
    ),
    (
        "caffe",
        "Ultimo pezzo! La moka in rame martellato della nostra edizione limitata.",
        "Moka in rame",
        [2],
    ),
    (
        "bottega",
        "Saponi alla lavanda appena tagliati, profumano tutto il laboratorio.",
        "Saponi alla lavanda",
        [1, 10],
    ),
    (
        "libreria",
        "Domenica si cammina: la nostra guida ai sentieri e un quaderno per gli appunti.",
        "Si cammina",
        [4, 2],
    ),
    ("caffe", "Il set di tazzine che tiene il caffè caldo fino all'ultimo sorso.", "Tazzine", [3, 1]),
    (
        "bottega",
        "Tavola d'autunno: tovaglia di lino, ciotole di Oristano, tagliere d'ulivo.",
        "Tavola d'autunno",
        [3, 2, 9],
    ),
    (
        "libreria",
        "Per i più piccoli: Il faro e il gabbiano, illustrato a mano.",
        "Il faro e il gabbiano",
        [9],
    ),
    ("caffe", "Merenda sarda: amaretti morbidi e torrone di Tonara.", "Merenda sarda", [5, 6]),
    ("bottega", "Miele di corbezzolo: amaro, intenso, solo in autunno.", "Miele di corbezzolo", [4]),
    ("libreria", "Regalo perfetto: penna stilografica e agenda in lino.", "Un regalo", [8, 7]),
    ("caffe", "Fa freddo? Cioccolata calda densa, come al bar.", "Cioccolata calda", [8]),
    ("bottega", "Cestini in asfodelo intrecciati a Castelsardo. Pochi pezzi.", "Cestini in asfodelo", [5]),
    ("libreria", "Il Golfo degli Angeli in 1000 pezzi: chi accetta la sfida?", "Puzzle del golfo", [10]),
    ("caffe", "Macinare a mano la mattina è un piccolo rito.", "Macinare a mano", [9, 0]),
    ("bottega", "Aperitivo in terrazza: pecorino stagionato e olio buono.", "Aperitivo", [7, 0]),
    ("libreria", "Poesie di mare da leggere sotto l'ombrellone (o sul divano).", "Poesie di mare", [6]),
    ("caffe", "Tè verde al gelsomino per chi il caffè lo prende solo al mattino.", "Tè al gelsomino", [7]),
    ("bottega", "Una candela al mirto e la casa profuma di macchia mediterranea.", "Candela al mirto", [6]),
    ("libreria", "Mappe antiche del Mediterraneo, stampate su carta di cotone.", "Mappe antiche", [5]),
    (
        "caffe",
        "Biscotti al burro e arancia: la ricetta della nonna di Luca.",
        "Biscotti all'arancia",
        [10, 4],
    ),
    ("bottega", "In cucina con il grembiule color salvia.", "In cucina", [8, 9]),
    ("libreria", "Il ricettario della nonna sarda è tornato disponibile!", "Ricettario", [1]),
    (
        "caffe",
        "Moka per la mattina, chicchi per il weekend: scegli la tua miscela.",
        "Miscela Aurora",
        [1, 0],
    ),
    ("bottega", "Mani screpolate? Crema al fico d'India, leggera e senza profumi.", "Fico d'India", [10]),
    ("libreria", "Segnalibri in ottone: onde, conchiglie, fari.", "Segnalibri", [3]),
    ("caffe", "Cantucci e tazzine: il kit per invitare gli amici.", "Caffè con gli amici", [4, 3, 5]),
    ("bottega", "Ceramiche di Oristano, una diversa dall'altra.", "Ceramiche", [2]),
    ("libreria", "Quaderni in pelle per chi scrive ancora a mano.", "Quaderni in pelle", [2, 3]),
    ("caffe", "Il torrone di Tonara arriva ogni martedì.", "Torrone", [6]),
    ("bottega", "Olio nuovo e pane caldo: non serve altro.", "Pane e olio", [0, 9]),
]

# (author key, text, picture label)
USER_POSTS: list[tuple[str, str, str]] = [
    ("giulia", "Tramonto al Poetto, non mi stanco mai di questa vista 🌅", "Tramonto al Poetto"),
    ("marco", "Sunday hike above Villasimius. Worth every step.", "Villasimius"),
    ("anna", "Prima fregola fatta in casa: promossa!", "Fregola"),
    ("davide", "New reading corner at home, finally.", "Reading corner"),
    ("giulia", "Chi viene al mercato di San Benedetto sabato?", "Mercato"),
    ("marco", "Espresso number three today. No regrets.", "Espresso"),
    ("anna", "Il mio gatto ha scoperto il cestino del pane 😹", "Gatto nel cestino"),
    ("davide", "Rainy day, good book, hot chocolate.", "Rainy day"),
    ("giulia", "Cena con le amiche, tavola apparecchiata con le ceramiche nuove.", "Cena con le amiche"),
    ("marco", "Flamingos at Molentargius this morning!", "Molentargius"),
    ("anna", "Qualcuno ha consigli per un libro da regalare a mia nonna?", "Consigli di lettura"),
    ("davide", "Bike ride along the Sella del Diavolo.", "Sella del Diavolo"),
    ("giulia", "Finalmente autunno: coperta, tè e candele.", "Autunno"),
    ("marco", "Who else is going to the jazz night at the harbour?", "Jazz al porto"),
    ("anna", "Pane carasau appena arrivato da Fonni.", "Pane carasau"),
    ("davide", "Tried the new coffee place near the port. Recommended.", "Coffee break"),
    ("giulia", "Mare d'inverno a Calamosca: nessuno in giro, solo onde.", "Calamosca"),
    ("marco", "Weekend project: fixing grandma's old bicycle.", "Bicicletta"),
    ("anna", "La mia pianta di basilico è sopravvissuta all'estate!", "Basilico"),
    ("davide", "Board game night, who's in?", "Board games"),
    ("giulia", "Pranzo della domenica: malloreddus alla campidanese.", "Malloreddus"),
    ("marco", "Sunrise run at Marina Piccola.", "Marina Piccola"),
    ("anna", "Lezione di ceramica: il mio primo vaso (storto).", "Il mio vaso"),
    ("davide", "Found an old map of Cagliari at the flea market.", "Old map"),
    ("giulia", "Grazie a tutti per gli auguri di compleanno ❤️", "Grazie!"),
    ("marco", "Homemade pizza night. The dough finally worked.", "Pizza night"),
    ("anna", "Passeggiata in Castello, la città dall'alto è un'altra cosa.", "Castello"),
    ("davide", "Started learning Italian properly. Piano piano!", "Piano piano"),
    ("giulia", "Qualcuno sa dove trovare il miele di corbezzolo buono?", "Miele"),
    ("marco", "Cooking class done: I can now make seadas.", "Seadas"),
]

# (organizer key, fundraiser title, goal in cents, post text, picture label)
FUNDRAISERS = [
    (
        "anna",
        "Canile di Quartu",
        200_000,
        "Raccogliamo fondi per il Canile di Quartu: cibo, cure e coperte per l'inverno. Ogni euro conta! 🐶",
        "Canile di Quartu",
    ),
    (
        "davide",
        "Biblioteca di quartiere",
        500_000,
        "Help us open a small neighbourhood library in Stampace: shelves, books and a reading room for kids.",
        "Biblioteca di quartiere",
    ),
]

COMMENTS = [
    "Che meraviglia! 😍",
    "Dove lo trovo?",
    "Lo voglio!",
    "Preso la settimana scorsa, consigliatissimo.",
    "Looks amazing!",
    "Spedite anche a Milano?",
    "Bellissima foto.",
    "Grazie del consiglio!",
    "Need this in my life.",
    "Passo in negozio domani.",
    "Ne avete ancora?",
    "So good!",
    "Che colori!",
    "Adoro ❤️",
]

APPS = [app.value for app in AppSurface]
# The newest Instagram post, so a tester opening Instagram sees a tagged product first.
FEATURED_SHOP_POST = 0
FEATURED_APP = AppSurface.INSTAGRAM.value


@dataclass
class SeedSummary:
    users: int = 0
    shops: int = 0
    products: int = 0
    posts: int = 0
    tags: int = 0
    likes: int = 0
    comments: int = 0
    fundraisers: int = 0
    pay_profiles: int = 0
    cards: int = 0

    def describe(self) -> str:
        return ", ".join(f"{name} +{value}" for name, value in dataclasses.asdict(self).items())


@dataclass(frozen=True)
class _PostPlan:
    key: str  # stable: names the picture, whose URL identifies the post on later runs
    app: str
    author: str  # user key, or "shop:<owner key>"
    text: str
    label: str
    tags: list[int]
    hours_ago: float
    fundraiser: tuple[str, int] | None = None  # (title, goal_cents)


def _plan_posts() -> list[_PostPlan]:
    """Every seeded post with its app and age; pure and deterministic."""
    rnd = random.Random(20240601)
    plans: list[_PostPlan] = []
    for i, (owner, text, label, tags) in enumerate(SHOP_POSTS):
        app = FEATURED_APP if i == FEATURED_SHOP_POST else APPS[i % len(APPS)]
        plans.append(_PostPlan(f"shop-{i:02d}", app, f"shop:{owner}", text, label, tags, 0.0))
    for i, (author, text, label) in enumerate(USER_POSTS):
        plans.append(_PostPlan(f"user-{i:02d}", APPS[(i + 1) % len(APPS)], author, text, label, [], 0.0))
    for i, (organizer, title, goal, text, label) in enumerate(FUNDRAISERS):
        plans.append(
            _PostPlan(
                f"fundraiser-{i:02d}",
                AppSurface.FACEBOOK.value,
                organizer,
                text,
                label,
                [],
                0.0,
                fundraiser=(title, goal),
            )
        )
    featured, rest = plans[FEATURED_SHOP_POST], plans[:FEATURED_SHOP_POST] + plans[FEATURED_SHOP_POST + 1 :]
    rnd.shuffle(rest)
    # Spread over about three weeks; the featured post is minutes old, newer than any other.
    timed = [dataclasses.replace(featured, hours_ago=0.05)]
    for n, plan in enumerate(rest):
        timed.append(dataclasses.replace(plan, hours_ago=2 + n * 8 + rnd.random() * 6))
    return timed


def _tag_positions(rnd: random.Random, count: int) -> list[tuple[float, float]]:
    # Spread across the picture so dots never sit on top of one another.
    slots = {1: [50.0], 2: [30.0, 70.0], 3: [22.0, 50.0, 78.0]}.get(count) or [
        15.0 + 70.0 * k / max(count - 1, 1) for k in range(count)
    ]
    return [(round(x + rnd.uniform(-5, 5), 1), round(rnd.uniform(30, 65), 1)) for x in slots]


def _ensure_users(session: Session, summary: SeedSummary) -> dict[str, User]:
    existing = {
        u.email: u
        for u in session.exec(select(User).where(User.email.in_([d.email for d in USERS]))).all()  # type: ignore[attr-defined]
    }
    password_hash: str | None = None
    users: dict[str, User] = {}
    for demo in USERS:
        user = existing.get(demo.email)
        if user is None:
            # argon2 is slow on purpose; every demo account shares one password, so one hash.
            password_hash = password_hash or hash_secret(DEMO_PASSWORD)
            user = User(
                email=demo.email,
                display_name=demo.name,
                phone_number=demo.phone,
                handle=demo.key,
                password_hash=password_hash,
                role=demo.role.value,
                language=demo.language,
            )
            session.add(user)
            summary.users += 1
        if user.handle is None and session.exec(select(User.id).where(User.handle == demo.key)).first() is None:
            user.handle = demo.key  # seeded before handles existed
        users[demo.key] = user
    session.flush()
    for demo in USERS:
        images.ensure_image("avatars", f"user-{users[demo.key].id}", demo.name, demo.email)
    return users


def _ensure_shops(
    session: Session, users: dict[str, User], summary: SeedSummary
) -> tuple[dict[str, Shop], dict[str, list[Product]]]:
    existing = {
        s.slug: s
        for s in session.exec(select(Shop).where(Shop.slug.in_([d.slug for d in SHOPS]))).all()  # type: ignore[attr-defined]
    }
    shops: dict[str, Shop] = {}
    for demo in SHOPS:
        # Drawn even for an existing shop: a fresh checkout may reuse an old database.
        logo = images.ensure_image("logos", demo.slug, demo.name, demo.slug)
        shop = existing.get(demo.slug)
        if shop is None:
            owner = users[demo.owner]
            if session.exec(select(Shop.id).where(Shop.owner_id == owner.id)).first() is not None:
                # The owner opened another shop meanwhile; one shop per owner is the rule.
                continue
            shop = Shop(
                owner_id=owner.id,  # type: ignore[arg-type]
                name=demo.name,
                slug=demo.slug,
                description=demo.description,
                logo=logo,
                city=demo.city,
                fee_package=demo.fee_package,
            )
            session.add(shop)
            summary.shops += 1
        shops[demo.owner] = shop
    session.flush()

    shop_ids = [shop.id for shop in shops.values()]
    by_key = {
        (p.shop_id, p.title): p
        for p in session.exec(select(Product).where(Product.shop_id.in_(shop_ids))).all()  # type: ignore[attr-defined]
    }
    products: dict[str, list[Product]] = {}
    for demo in SHOPS:
        shop = shops.get(demo.owner)
        if shop is None:
            continue
        created = utcnow() - dt.timedelta(days=40)
        items = []
        for n, (title, description, price, stock) in enumerate(demo.products):
            name = f"{demo.slug}-{images.slugify(title, 40)}"
            url = images.ensure_image("products", name, title, name)
            product = by_key.get((shop.id, title))  # type: ignore[arg-type]
            if product is None:
                product = Product(
                    shop_id=shop.id,  # type: ignore[arg-type]
                    title=title,
                    description=description,
                    price_cents=price,
                    currency="EUR",
                    stock=stock,
                    image=url,
                    category=PRODUCT_CATEGORIES.get(title, ProductCategory.OTHER).value,
                    created_at=created + dt.timedelta(hours=n),
                )
                session.add(product)
                summary.products += 1
            elif product.category == ProductCategory.OTHER.value and title in PRODUCT_CATEGORIES:
                # Seeded before products had categories: fill in only the migration's default.
                product.category = PRODUCT_CATEGORIES[title].value
                session.add(product)
            items.append(product)
        products[demo.owner] = items
    session.flush()
    return shops, products


def _ensure_posts(
    session: Session,
    users: dict[str, User],
    shops: dict[str, Shop],
    products: dict[str, list[Product]],
    summary: SeedSummary,
) -> None:
    rnd = random.Random(4242)
    seeded = set(
        session.exec(select(Post.image).where(Post.image.like(POST_IMAGE_PREFIX + "%"))).all()  # type: ignore[attr-defined]
    )
    now = utcnow()
    people = [users[d.key] for d in USERS if d.role == Role.SHOPPER]
    new_posts: list[tuple[Post, _PostPlan]] = []
    for plan in _plan_posts():
        url = images.ensure_image("posts", f"seed-{plan.key}", plan.label, plan.key)
        if url in seeded:
            continue
        if plan.author.startswith("shop:"):
            shop = shops.get(plan.author.removeprefix("shop:"))
            if shop is None:
                continue
            post = Post(author_shop_id=shop.id, app=plan.app, text=plan.text, image=url)
        else:
            post = Post(author_user_id=users[plan.author].id, app=plan.app, text=plan.text, image=url)
        post.created_at = now - dt.timedelta(hours=plan.hours_ago)
        session.add(post)
        new_posts.append((post, plan))
        summary.posts += 1
    session.flush()

    for post, plan in new_posts:
        if plan.tags:
            owner = plan.author.removeprefix("shop:")
            for index, (x, y) in zip(plan.tags, _tag_positions(rnd, len(plan.tags)), strict=True):
                session.add(
                    ProductTag(post_id=post.id, product_id=products[owner][index].id, x_pct=x, y_pct=y)  # type: ignore[arg-type]
                )
                summary.tags += 1
        if plan.fundraiser is not None:
            title, goal = plan.fundraiser
            session.add(
                Fundraiser(
                    post_id=post.id,  # type: ignore[arg-type]
                    title=title,
                    organizer_id=users[plan.author].id,  # type: ignore[arg-type]
                    goal_cents=goal,
                    raised_cents=0,
                    currency="EUR",
                    created_at=post.created_at,
                )
            )
            summary.fundraisers += 1
        age = now - post.created_at
        for liker in rnd.sample(people, rnd.randint(0, len(people))):
            if liker.id == post.author_user_id:
                continue
            session.add(
                Like(post_id=post.id, user_id=liker.id, created_at=post.created_at + age * rnd.random())  # type: ignore[arg-type]
            )
            summary.likes += 1
        if rnd.random() < 0.45:
            for commenter in rnd.sample(people, rnd.randint(1, 3)):
                session.add(
                    Comment(
                        post_id=post.id,  # type: ignore[arg-type]
                        user_id=commenter.id,  # type: ignore[arg-type]
                        text=rnd.choice(COMMENTS),
                        created_at=post.created_at + age * rnd.random(),
                    )
                )
                summary.comments += 1
    session.flush()


def _ensure_pay(
    session: Session, users: dict[str, User], provider: PaymentProvider, summary: SeedSummary
) -> None:
    pin_hash: str | None = None
    for demo in USERS:
        if demo.address is None:
            continue
        user = users[demo.key]
        profile = session.get(PayProfile, user.id)
        if profile is None:
            pin_hash = pin_hash or hash_secret(DEMO_PIN)
            line1, city, postal_code = demo.address
            profile = PayProfile(
                user_id=user.id,  # type: ignore[arg-type]
                provider_customer_ref=provider.create_customer(email=user.email, name=user.display_name),
                pin_hash=pin_hash,
            )
            session.add(profile)
            session.add(
                ShippingAddress(
                    user_id=user.id,  # type: ignore[arg-type]
                    name=user.display_name,
                    line1=line1,
                    city=city,
                    postal_code=postal_code,
                    country="IT",
                    is_default=True,
                )
            )
            summary.pay_profiles += 1
        # Any card row, even a removed one, means the user has been here: leave their choice.
        if session.exec(select(PaymentMethod.id).where(PaymentMethod.user_id == user.id)).first():
            continue
        if not profile.provider_customer_ref:
            profile.provider_customer_ref = provider.create_customer(email=user.email, name=user.display_name)
            session.add(profile)
        expiry_year = utcnow().year + 3
        card = provider.tokenize_card(
            customer_ref=profile.provider_customer_ref,
            card=CardInput(
                number=DEMO_CARD, exp_month=12, exp_year=expiry_year, cvc="123", holder_name=user.display_name
            ),
        )
        session.add(
            PaymentMethod(
                user_id=user.id,  # type: ignore[arg-type]
                provider=provider.name,
                provider_token=card.token,
                brand=card.brand,
                last4=card.last4,
                exp_month=card.exp_month,
                exp_year=card.exp_year,
                is_default=True,
            )
        )
        summary.cards += 1
    session.flush()


def seed(session: Session, *, provider: PaymentProvider | None = None) -> SeedSummary:
    """Add whatever demo data is missing; flushes, the caller commits."""
    summary = SeedSummary()
    users = _ensure_users(session, summary)
    shops, products = _ensure_shops(session, users, summary)
    _ensure_posts(session, users, shops, products, summary)
    _ensure_pay(session, users, provider or get_provider(), summary)
    return summary


def account_lines() -> list[str]:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD})"]
    shop_of = {shop.owner: shop for shop in SHOPS}
    for demo in USERS:
        shop = shop_of.get(demo.key)
        if shop is not None:
            extra = f"merchant of {shop.name} (/shop/{shop.slug})"
        elif demo.role == Role.SUPPORT:
            extra = "support agent (/support/agent)"
        elif demo.address is not None:
            extra = f"shopper, card Visa •••• {DEMO_CARD[-4:]}, Pay PIN {DEMO_PIN}"
        else:
            extra = "shopper, no card"
        lines.append(f"  {demo.email:<22} {demo.name:<15} lang={demo.language}  {extra}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialshop.seed", description=__doc__.splitlines()[0])
    parser.add_argument("--print-accounts", action="store_true", help="only list the demo accounts")
    args = parser.parse_args(argv)
    if args.print_accounts:
        print("\n".join(account_lines()))
        return 0

    from socialshop.db import get_engine, session_scope

    engine = get_engine()
    # The schema belongs to the migrations (`reflex db migrate`); creating tables here would
    # leave the database out of step with Alembic's revision history.
    missing = {"user", "shop", "product", "post", "paymentmethod"} - set(inspect(engine).get_table_names())
    if missing:
        print(
            f"The database at {engine.url!r} has no tables {sorted(missing)}: "
            "run `reflex db migrate` (or `make migrate`) first.",
            file=sys.stderr,
        )
        return 1
    started = time.perf_counter()
    with session_scope(engine) as session:
        summary = seed(session)
    print(f"Seeded in {time.perf_counter() - started:.1f} s: {summary.describe()}")
    print("\n".join(account_lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
