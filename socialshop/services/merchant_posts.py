"""Posting to an app as the shop: text, a picture and up to MAX_TAGS_PER_POST product tags
placed on the picture. The post then shows in that app's feed with its tags (services/feed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from socialshop import images
from socialshop.models import MAX_TAGS_PER_POST, Post, Product, User
from socialshop.services import feed, shops
from socialshop.services.catalog import clean_search, like_pattern
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_app, parse_id
from socialshop.services.money import format_money

MAX_TEXT_LENGTH = 2000
PICKER_SIZE = 8


@dataclass(frozen=True)
class TaggableProduct:
    id: int
    title: str
    price_label: str
    image: str
    thumb: str


@dataclass(frozen=True)
class TagPlacement:
    product_id: int
    x_pct: float
    y_pct: float


def taggable_products(
    session: Session, *, user: User | None, query: object = "", language: object = "en", limit: int = PICKER_SIZE
) -> list[TaggableProduct]:
    """The merchant's own active products matching `query` (at most `limit`), for the tag picker."""
    shop = shops.require_shop(session, user=user)
    text = clean_search(query)
    stmt = select(Product).where(Product.shop_id == shop.id, Product.active.is_(True))  # type: ignore[attr-defined]
    if text:
        stmt = stmt.where(func.lower(Product.title).like(like_pattern(text), escape="\\"))
    rows = session.exec(stmt.order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)).all()  # type: ignore[attr-defined,union-attr]
    lang = clean_language(language)
    return [
        TaggableProduct(
            id=p.id,  # type: ignore[arg-type]
            title=p.title,
            price_label=format_money(p.price_cents, p.currency, lang),
            image=p.image,
            thumb=images.thumb_url(p.image),
        )
        for p in rows
    ]


def parse_tags(raw: object) -> list[TagPlacement]:
    """[{product_id, x_pct, y_pct}, ...] from the browser: at most MAX_TAGS_PER_POST, each
    product once, positions 0..100."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationError("tags_invalid")
    if len(raw) > MAX_TAGS_PER_POST:
        raise ValidationError("too_many_tags", max=MAX_TAGS_PER_POST)
    placements: list[TagPlacement] = []
    for item in raw:
        if isinstance(item, TagPlacement):
            item = {"product_id": item.product_id, "x_pct": item.x_pct, "y_pct": item.y_pct}
        if not isinstance(item, dict):
            raise ValidationError("tags_invalid")
        pid = parse_id(item.get("product_id"))
        if pid is None:
            raise NotFound("product_not_found")
        if any(p.product_id == pid for p in placements):
            raise ValidationError("tag_duplicate")
        placements.append(
            TagPlacement(
                product_id=pid,
                x_pct=feed._parse_position(item.get("x_pct")),
                y_pct=feed._parse_position(item.get("y_pct")),
            )
        )
    return placements


def _clean_image(session: Session, shop_id: int, image: object) -> str:
    """A picture uploaded for a post, or one of the shop's own products' pictures."""
    if image in (None, ""):
        return ""
    if images.is_upload_url(image, "posts"):
        return image  # type: ignore[return-value]
    if isinstance(image, str) and len(image) <= 255:
        owned = session.exec(
            select(Product.id).where(Product.shop_id == shop_id, Product.image == image).limit(1)
        ).first()
        if owned is not None and image:
            return image
    raise ValidationError("image_invalid")


def publish_post(
    session: Session,
    *,
    user: User | None,
    app: object,
    text: object,
    image: object = "",
    tags: object = None,
) -> Post:
    """The shop's post on `app` with its tags, all or nothing. Tags need a picture and may
    only name the shop's own active products (others: NotFound / Conflict, nothing posted)."""
    shop = shops.require_shop(session, user=user)
    surface = parse_app(app)
    body = text.strip() if isinstance(text, str) else ""
    if len(body) > MAX_TEXT_LENGTH:
        raise ValidationError("post_text_too_long", max=MAX_TEXT_LENGTH)
    picture = _clean_image(session, shop.id, image)  # type: ignore[arg-type]
    placements = parse_tags(tags)
    if not body and not picture:
        raise ValidationError("post_empty")
    if placements and not picture:
        raise ValidationError("tags_need_image")
    if placements:
        found = dict(
            session.exec(
                select(Product.id, Product.active).where(
                    col(Product.id).in_([p.product_id for p in placements]), Product.shop_id == shop.id
                )
            ).all()
        )
        if len(found) != len(placements):
            raise NotFound("product_not_found")
        if not all(found.values()):
            raise Conflict("product_unavailable")
    post = Post(author_shop_id=shop.id, app=surface.value, text=body, image=picture)
    session.add(post)
    session.flush()
    for placement in placements:
        # With user=: tag_product checks again that post and product are this merchant's
        # and that the product is on sale.
        feed.tag_product(
            session,
            post_id=post.id,
            product_id=placement.product_id,
            x_pct=placement.x_pct,
            y_pct=placement.y_pct,
            user=user,
        )
    return post
