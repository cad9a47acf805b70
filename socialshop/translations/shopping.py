"""Storefronts, product sheet, cart, saved items, orders. key: (English, Italiano)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # shops and storefronts
    "shops.empty": ("No shops are open yet.", "Non ci sono ancora negozi aperti."),
    "shops.your_stuff": ("Your shopping", "I tuoi acquisti"),
    "shop.stock_left": ("{n} left", "Ne restano {n}"),
    "shop.out_of_stock": ("Out of stock", "Esaurito"),
    "shop.unavailable": ("No longer available", "Non più disponibile"),
    "shop.no_products": (
        "This shop has no products on sale right now.",
        "Questo negozio non ha prodotti in vendita al momento.",
    ),
    "shop.not_found_title": ("Shop not found", "Negozio non trovato"),
    "shop.not_found_text": (
        "This shop does not exist or has closed.",
        "Questo negozio non esiste o ha chiuso.",
    ),
    "shop.browse_shops": ("Browse all shops", "Sfoglia tutti i negozi"),
    # product sheet
    "sheet.title": ("Product", "Prodotto"),
    "sheet.quantity": ("Quantity", "Quantità"),
    # Not "... quantity": get_by_label("Quantity") must find only the quantity box.
    "sheet.decrease": ("One less", "Uno in meno"),
    "sheet.increase": ("One more", "Uno in più"),
    "sheet.quantity_range": (
        "Enter a quantity from 1 to {max}.",
        "Inserisci una quantità da 1 a {max}.",
    ),
    "sheet.add_to_cart": ("Add to cart", "Aggiungi al carrello"),
    "sheet.buy_now": ("Buy now", "Compra ora"),
    "sheet.added": ("Added to cart", "Aggiunto al carrello"),
    "sheet.save": ("Save", "Salva"),
    "sheet.saved": ("Saved", "Salvato"),
    "sheet.saved_now": ("Saved for later.", "Salvato per dopo."),
    "sheet.unsaved_now": ("Removed from your saved items.", "Rimosso dai salvati."),
    "sheet.unavailable_note": (
        "No longer available: this product was withdrawn or its shop has closed.",
        "Non più disponibile: il prodotto è stato ritirato o il negozio ha chiuso.",
    ),
    "fundraiser.donate": ("Donate", "Dona"),
    # cart
    "cart.unit_price": ("Each", "Cad."),
    "cart.decrease": ("One less {title}", "Uno in meno: {title}"),
    "cart.increase": ("One more {title}", "Uno in più: {title}"),
    "cart.remove": ("Remove", "Rimuovi"),
    "cart.remove_item": ("Remove {title} from the cart", "Rimuovi {title} dal carrello"),
    "cart.removed": ("{title} removed from the cart.", "{title} rimosso dal carrello."),
    "cart.above_stock": (
        "Only {n} left: lower the quantity to buy it.",
        "Ne restano solo {n}: diminuisci la quantità per acquistarlo.",
    ),
    "cart.subtotal": ("Subtotal", "Subtotale"),
    "cart.total": ("Total", "Totale"),
    "cart.one_order_per_shop": (
        "You get one order per shop; all are paid together.",
        "Riceverai un ordine per negozio; si pagano tutti insieme.",
    ),
    "cart.unavailable_note": (
        "Fix or remove the items marked in red to check out; they are left out of the total.",
        "Correggi o rimuovi gli articoli segnati in rosso per pagare; sono esclusi dal totale.",
    ),
    "cart.checkout": ("Checkout", "Vai al pagamento"),
    "cart.one_checkout_per_app": (
        "Items are paid in the app where you found them: one checkout per app, one order per shop.",
        "Gli articoli si pagano nell'app in cui li hai trovati: un pagamento per app, un ordine per negozio.",
    ),
    "cart.found_on": ("from", "da"),
    "cart.empty": ("Your cart is empty.", "Il tuo carrello è vuoto."),
    "cart.back_to_feed": ("Find something in the feed", "Trova qualcosa nel feed"),
    # saved
    "saved.remove": ("Remove from saved", "Rimuovi dai salvati"),
    "saved.remove_item": ("Remove {title} from saved", "Rimuovi {title} dai salvati"),
    "saved.removed": ("{title} removed from your saved items.", "{title} rimosso dai salvati."),
    "saved.empty": ("You have not saved any products yet.", "Non hai ancora salvato prodotti."),
    # orders
    "orders.empty": ("You have no orders yet.", "Non hai ancora ordini."),
    "orders.number": ("Order {number}", "Ordine {number}"),
    "orders.items": ("Items", "Articoli"),
    "orders.note": ("Your note to the shop", "La tua nota al negozio"),
    "orders.amounts": ("Amounts", "Importi"),
    "orders.subtotal": ("Items total", "Totale articoli"),
    "orders.refunded": ("Refunded", "Rimborsato"),
    "orders.total_paid": ("Total", "Totale"),
    "orders.shipping": ("Shipping address", "Indirizzo di spedizione"),
    "orders.payment": ("Payment", "Pagamento"),
    "orders.history": ("Status history", "Cronologia dello stato"),
    "orders.by_you": ("you", "tu"),
    "orders.by_system": ("SocialShop", "SocialShop"),
    "orders.by": ("by", "da"),
    "orders.placed": ("Placed", "Effettuato"),
    "orders.cancel": ("Cancel order", "Annulla ordine"),
    "orders.cancel_until": ("You can cancel until {time}.", "Puoi annullare fino a {time}."),
    "orders.cancel_confirm_title": ("Cancel this order?", "Annullare questo ordine?"),
    "orders.cancel_confirm_text": (
        "The shop will not ship it and {amount} goes back to your card.",
        "Il negozio non lo spedirà e {amount} tornerà sulla tua carta.",
    ),
    "orders.cancel_keep": ("Keep the order", "Mantieni l'ordine"),
    "orders.cancel_yes": ("Yes, cancel it", "Sì, annulla"),
    "orders.cancelled_refund": (
        "Order cancelled — refund of {amount} issued.",
        "Ordine annullato — rimborso di {amount} emesso.",
    ),
    "orders.already_cancelled": (
        "This order was already cancelled; its refund of {amount} was issued then.",
        "Questo ordine era già stato annullato; il rimborso di {amount} è stato emesso allora.",
    ),
    "orders.cancel_rule": (
        "Orders can be cancelled within 30 minutes of payment, before the shop ships them.",
        "Gli ordini si possono annullare entro 30 minuti dal pagamento, prima che il negozio li spedisca.",
    ),
    "orders.not_found_title": ("Order not found", "Ordine non trovato"),
    "orders.not_found_text": (
        "There is no order with this number in your account.",
        "Nel tuo account non c'è un ordine con questo numero.",
    ),
    "orders.all": ("All orders", "Tutti gli ordini"),
    # order status names
    "orderstatus.pending": ("Pending", "In attesa"),
    "orderstatus.paid": ("Paid", "Pagato"),
    "orderstatus.shipped": ("Shipped", "Spedito"),
    "orderstatus.delivered": ("Delivered", "Consegnato"),
    "orderstatus.cancelled": ("Cancelled", "Annullato"),
    "orderstatus.refunded": ("Refunded", "Rimborsato"),
    "orderstatus.partially_refunded": ("Partially refunded", "Rimborsato in parte"),
    # Pay per app
    "payapps.title": ("Apps", "App"),
    "payapps.explain": (
        (
            "Choose the apps where you pay with SocialShop Pay. Paying in an app that is switched off is "
            "refused: switch it back on here first."
        ),
        (
            "Scegli le app in cui paghi con SocialShop Pay. Un pagamento in un'app disattivata viene "
            "rifiutato: riattivala prima da qui."
        ),
    ),
    "payapps.on": ("On", "Attivo"),
    "payapps.off": ("Off", "Disattivo"),
    "payapps.now_on": ("Pay is now on in {app}.", "Pay ora è attivo su {app}."),
    "payapps.now_off": (
        "Pay is now off in {app}: payments there will be refused.",
        "Pay ora è disattivato su {app}: i pagamenti lì verranno rifiutati.",
    ),
    # service error codes of the shopping services
    "error.product_not_found": ("This product does not exist.", "Questo prodotto non esiste."),
    "error.shop_not_found": ("Shop not found.", "Negozio non trovato."),
    "error.product_unavailable": (
        "This product is no longer available.",
        "Questo prodotto non è più disponibile.",
    ),
    "error.out_of_stock": (
        "Not enough stock: {available} available and {in_cart} already in your cart.",
        "Disponibilità insufficiente: ne restano {available} e {in_cart} sono già nel tuo carrello.",
    ),
    "error.quantity_out_of_range": (
        "Choose a quantity between {min} and {max}.",
        "Scegli una quantità tra {min} e {max}.",
    ),
    "error.not_enough_stock": (
        "Only {available} of “{product}” left: choose {available} or fewer.",
        "Di “{product}” ne restano solo {available}: scegline {available} o meno.",
    ),
    "error.sold_out": (
        "“{product}” has just sold out.",
        "“{product}” è appena andato esaurito.",
    ),
    "error.quantity_invalid": (
        "Enter a whole quantity of at least 1.",
        "Inserisci una quantità intera di almeno 1.",
    ),
    "error.cart_item_not_found": (
        "This item is not in your cart any more.",
        "Questo articolo non è più nel tuo carrello.",
    ),
    "error.saved_item_not_found": (
        "This product is not in your saved items any more.",
        "Questo prodotto non è più tra i tuoi salvati.",
    ),
    "error.limit_invalid": (
        "Invalid page size (at most {max}).",
        "Dimensione della pagina non valida (al massimo {max}).",
    ),
    "error.pay_disabled_in_app": (
        "Pay is switched off in this app ({app}). Switch it on in Pay → Apps to pay here.",
        "Pay è disattivato in questa app ({app}). Attivalo in Pay → App per pagare qui.",
    ),
    "error.enabled_invalid": ("Choose on or off.", "Scegli attivo o disattivo."),
    "error.order_not_found": ("Order not found.", "Ordine non trovato."),
    "error.order_not_cancellable": (
        "This order can no longer be cancelled.",
        "Questo ordine non può più essere annullato.",
    ),
    "error.cancel_window_passed": (
        "Orders can only be cancelled within {minutes} minutes of payment, and that time has passed.",
        "Gli ordini si possono annullare solo entro {minutes} minuti dal pagamento, e il tempo è scaduto.",
    ),
    "error.refund_failed": (
        "The refund could not be issued right now, so the order was not cancelled. Please try again.",
        "Il rimborso non è riuscito in questo momento, quindi l'ordine non è stato annullato. Riprova.",
    ),
    "error.note_too_long": (
        "The note is too long: at most {max_length} characters.",
        "La nota è troppo lunga: al massimo {max_length} caratteri.",
    ),
    # feed service codes
    "error.post_not_found": ("This post does not exist any more.", "Questo post non esiste più."),
    "error.cursor_invalid": (
        "Could not load more posts; reload the feed.",
        "Impossibile caricare altri post; ricarica il feed.",
    ),
    "error.comment_invalid": (
        "Write a comment of 1 to {max_length} characters.",
        "Scrivi un commento da 1 a {max_length} caratteri.",
    ),
    "error.tag_position_invalid": (
        "A tag's position goes from 0 to 100 (percent of the image).",
        "La posizione di un tag va da 0 a 100 (percento dell'immagine).",
    ),
    "error.too_many_tags": (
        "A post can tag at most {max} products.",
        "Un post può taggare al massimo {max} prodotti.",
    ),
    "error.order_transition_invalid": (
        "The order changed in the meantime; reload to see its status.",
        "L'ordine è cambiato nel frattempo; ricarica per vederne lo stato.",
    ),
}
