"""merchant_money: the fees, payouts and insights pages of the merchant dashboard. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- /merchant/fees
    "fees.title": ("Fees", "Commissioni"),
    "fees.intro": (
        "SocialShop keeps a commission on every order you are paid for. Pick the package that suits your sales.",
        "SocialShop trattiene una commissione su ogni ordine pagato. Scegli il pacchetto adatto alle tue vendite.",
    ),
    "fees.package.starter": ("Starter", "Starter"),
    "fees.package.growth": ("Growth", "Growth"),
    "fees.package.pro": ("Pro", "Pro"),
    "fees.current": ("Your package", "Il tuo pacchetto"),
    "fees.current_since": ("Your package since {date}", "Il tuo pacchetto dal {date}"),
    "fees.commission": ("{percent} of every order", "{percent} di ogni ordine"),
    "fees.flat_small": (
        "plus {flat} on orders of {limit} or less",
        "più {flat} sugli ordini fino a {limit}",
    ),
    "fees.flat_all": ("plus {flat} on every order", "più {flat} su ogni ordine"),
    "fees.no_flat": ("no fixed fee per order", "nessun costo fisso per ordine"),
    "fees.monthly": ("{amount} a month", "{amount} al mese"),
    "fees.no_monthly": ("no monthly fee", "nessun canone mensile"),
    "fees.schedule.weekly": (
        "your money can be paid out 7 days after each order",
        "puoi incassare il denaro 7 giorni dopo ogni ordine",
    ),
    "fees.schedule.two_days": (
        "your money can be paid out 2 days after each order",
        "puoi incassare il denaro 2 giorni dopo ogni ordine",
    ),
    "fees.schedule.daily": (
        "your money can be paid out the day after each order",
        "puoi incassare il denaro il giorno dopo ogni ordine",
    ),
    "fees.choose": ("Choose {name}", "Scegli {name}"),
    "fees.new_orders_only": (
        "A new package applies to orders paid from the moment you choose it. Orders already paid keep the fee "
        "they were paid with.",
        "Un nuovo pacchetto vale per gli ordini pagati da quando lo scegli. Gli ordini già pagati mantengono la "
        "commissione con cui sono stati pagati.",
    ),
    "fees.chosen": (
        "You are now on {name}. It applies to orders paid from now on.",
        "Ora hai {name}. Vale per gli ordini pagati da adesso in poi.",
    ),
    "fees.compare.title": ("What you would have paid", "Quanto avresti pagato"),
    "fees.compare.intro": (
        "Your {orders} orders of the last 30 days ({sales} after refunds), under each package:",
        "I tuoi {orders} ordini degli ultimi 30 giorni ({sales} al netto dei rimborsi), con ogni pacchetto:",
    ),
    "fees.compare.none": (
        "No orders in the last 30 days yet: the comparison shows once you sell.",
        "Nessun ordine negli ultimi 30 giorni: il confronto appare quando vendi.",
    ),
    "fees.compare.detail": ("{orders} in order fees + {monthly} monthly fee", "{orders} di commissioni + {monthly} di canone"),
    "fees.compare.actual": ("You actually paid {amount}", "Hai pagato davvero {amount}"),
    "fees.compare.cheapest": ("Cheapest for you", "Il più conveniente per te"),
    "fees.compare.col.package": ("Package", "Pacchetto"),
    "fees.compare.col.total": ("Total", "Totale"),
    "fees.compare.note": (
        "Refunds give back the fee in proportion, under every package alike. The monthly fee is charged once per "
        "calendar month while you are on a package that has one.",
        "I rimborsi restituiscono la commissione in proporzione, con ogni pacchetto. Il canone è addebitato una "
        "volta per mese di calendario finché hai un pacchetto che lo prevede.",
    ),
    "error.fee_package_unknown": ("There is no such package.", "Questo pacchetto non esiste."),
    # ---------------------------------------------------------------- /merchant/payouts
    "payouts.title": ("Payouts", "Pagamenti ricevuti"),
    "payouts.balance": ("Balance", "Saldo"),
    "payouts.available": ("Available now", "Disponibile ora"),
    "payouts.pending": ("Pending", "In attesa"),
    "payouts.held": ("Refund reserve", "Riserva per rimborsi"),
    "payouts.pending_help": (
        "Money from recent orders, free once your package's payout time has passed (for each order, the package "
        "it was paid under).",
        "Denaro degli ordini recenti, disponibile trascorso il tempo di pagamento del pacchetto (per ogni ordine, "
        "quello con cui è stato pagato).",
    ),
    "payouts.next_release": ("More money frees up: {when}", "Altro denaro disponibile da: {when}"),
    "payouts.held_help": (
        "We keep back 10% of your last 30 days' sales so refunds can be paid without leaving you in debt.",
        "Tratteniamo il 10% delle vendite degli ultimi 30 giorni per pagare i rimborsi senza lasciarti in debito.",
    ),
    "payouts.owed": (
        "You owe {amount}: refunds were larger than your balance. It will be taken from your next sales.",
        "Devi {amount}: i rimborsi hanno superato il tuo saldo. Sarà trattenuto dalle tue prossime vendite.",
    ),
    "payouts.pay_out": ("Pay out {amount} now", "Incassa {amount} ora"),
    "payouts.nothing": ("Nothing to pay out yet", "Ancora niente da incassare"),
    "payouts.paid": (
        "{amount} is on its way to your bank account.",
        "{amount} è in arrivo sul tuo conto bancario.",
    ),
    "payouts.history": ("Past payouts", "Incassi precedenti"),
    "payouts.history_empty": ("No payouts yet.", "Nessun incasso finora."),
    "payouts.status.paid": ("Sent to your bank", "Inviato alla banca"),
    "payouts.older": ("Older", "Precedenti"),
    "payouts.newer": ("Newer", "Più recenti"),
    "payouts.col.date": ("Date", "Data"),
    "payouts.col.amount": ("Amount", "Importo"),
    "payouts.col.status": ("Status", "Stato"),
    "error.payout_nothing_available": (
        "Nothing is available to pay out right now.",
        "Al momento non c'è niente da incassare.",
    ),
    "error.payout_key_invalid": (
        "This payout request is not valid any more. Reload the page and try again.",
        "Questa richiesta di incasso non è più valida. Ricarica la pagina e riprova.",
    ),
    "payhistory.kind.payout": ("Payout to your bank", "Incasso sul tuo conto"),
    "error.payout_cursor_invalid": ("That page of payouts does not exist.", "Questa pagina di incassi non esiste."),
    # ---------------------------------------------------------------- /merchant/insights
    "minsights.title": ("Insights", "Statistiche"),
    "minsights.period": ("Period", "Periodo"),
    "minsights.period.7days": ("Last 7 days", "Ultimi 7 giorni"),
    "minsights.period.30days": ("Last 30 days", "Ultimi 30 giorni"),
    "minsights.period.90days": ("Last 90 days", "Ultimi 90 giorni"),
    "minsights.total": ("Sales", "Vendite"),
    "minsights.total_detail": ("{orders} orders from {buyers} buyers", "{orders} ordini da {buyers} clienti"),
    "minsights.privacy": (
        "To protect your customers, any group with fewer than 5 different buyers is not shown, and neither is "
        "the smallest group beside it when its numbers would give the hidden ones away.",
        "Per proteggere i tuoi clienti, i gruppi con meno di 5 clienti diversi non sono mostrati, e nemmeno il "
        "gruppo più piccolo accanto quando i suoi numeri rivelerebbero quelli nascosti.",
    ),
    "minsights.suppressed": ("fewer than 5 buyers", "meno di 5 clienti"),
    "minsights.empty": ("No sales in this period.", "Nessuna vendita in questo periodo."),
    "minsights.by_day": ("Sales by day", "Vendite per giorno"),
    "minsights.by_app": ("Sales by app", "Vendite per app"),
    "minsights.by_product": ("Sales by product", "Vendite per prodotto"),
    "minsights.by_city": ("Sales by buyer city", "Vendite per città del cliente"),
    "minsights.no_address": ("no address", "senza indirizzo"),
    "minsights.others": ("All the others", "Tutti gli altri"),
    "minsights.more_hidden": ("{count} more", "Altri {count}"),
    "minsights.col.name": ("Group", "Gruppo"),
    "minsights.col.day": ("Day", "Giorno"),
    "minsights.col.amount": ("Sales", "Vendite"),
    "minsights.col.buyers": ("Buyers", "Clienti"),
    "minsights.all_hidden": (
        "Every group of this chart has fewer than 5 buyers.",
        "Ogni gruppo di questo grafico ha meno di 5 clienti.",
    ),
}
