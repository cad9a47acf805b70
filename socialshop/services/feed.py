"""The four app feeds: posts, likes, comments and the products tagged on post images.

A feed page costs three queries whatever its length (posts with their counts, tags,
fundraisers): the feed is the busiest page, and per-post lookups would grow with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, func, or_
from sqlmodel import Session, col, select

from socialshop import images
from socialshop.models import (
    MAX_TAGS_PER_POST,
    Comment,
    Fundraiser,
    Like,
    Post,
    Product,
    ProductTag,
    Shop,
    User,
    utcnow,
)
from socialshop.services.catalog import (
    insert_ignore,
    iso_utc,
    product_available,
)
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_app, parse_id
from socialshop.services.money import format_datetime, format_money

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 100
MAX_COMMENT_LENGTH = 500
MAX_COMMENTS_PAGE = 200


@dataclass(frozen=True)
class TagView:
    product_id: int
    title: str
    price_label: str
    price_cents: int
    currency: str
    x_pct: float
    y_pct: float
    shop_name: str
    shop_slug: str
    in_stock: bool
    image: str


@dataclass(frozen=True)
class FundraiserView:
    id: int
    title: str
    goal_label: str
    raised_label: str
    raised_cents: int
    goal_cents: int
    percent: int
    currency: str


@dataclass(frozen=True)
class PostView:
    id: int
    app: str
    author_name: str
    author_kind: str  # "user" or "shop"
    author_shop_slug: str | None
    author_avatar: str  # "" when there is no picture: the UI shows initials
    text: str
    image: str
    created_at_label: str
    created_at_iso: str
    like_count: int
    liked_by_viewer: bool
    comment_count: int
    tags: list[TagView]
    fundraiser: FundraiserView | None


@dataclass(frozen=True)
class CommentView:
    id: int
    post_id: int
    author_name: str
    author_id: int
    text: str
    created_at_label: str


def _visible_posts():
    """Posts whose author still exists as such: a deleted shop's posts leave every feed."""
    return (
        select(Post)
        .outerjoin(Shop, Shop.id == Post.author_shop_id)
        .where(or_(Post.author_shop_id.is_(None), Shop.deleted_at.is_(None)))  # type: ignore[union-attr]
    )


def _get_visible_post(session: Session, post_id: object) -> Post:
    pid = parse_id(post_id)
    if pid is None:
        raise NotFound("post_not_found")
    post = session.exec(_visible_posts().where(Post.id == pid)).first()
    if post is None:
        raise NotFound("post_not_found")
    return post


def _avatar_for_user(user_id: int) -> str:
    return images.existing_url("avatars", f"user-{user_id}")


def fundraiser_views(session: Session, *, fundraiser_ids: object, language: object = "en") -> dict[int, FundraiserView]:
    """Current totals of the given fundraisers in one query (the feed polls them)."""
    if not isinstance(fundraiser_ids, (list, tuple, set)):
        return {}
    ids = {i for i in fundraiser_ids if isinstance(i, int) and not isinstance(i, bool)}
    if not ids:
        return {}
    lang = language if language in ("en", "it") else "en"
    rows = session.exec(select(Fundraiser).where(col(Fundraiser.id).in_(ids))).all()
    return {row.id: fundraiser_view(row, lang) for row in rows}  # type: ignore[misc]


def fundraiser_view(fundraiser: Fundraiser, language: str) -> FundraiserView:
    goal = max(fundraiser.goal_cents, 0)
    raised = max(fundraiser.raised_cents, 0)
    # Floor, and capped: "100%" must mean the goal was really reached.
    percent = min(100, raised * 100 // goal) if goal else 0
    return FundraiserView(
        id=fundraiser.id,  # type: ignore[arg-type]
        title=fundraiser.title,
        goal_label=format_money(goal, fundraiser.currency, language),
        raised_label=format_money(raised, fundraiser.currency, language),
        raised_cents=raised,
        goal_cents=goal,
        percent=percent,
        currency=fundraiser.currency,
    )


def list_feed(
    session: Session,
    *,
    viewer: User | None,
    app: object = None,
    language: object = "en",
    limit: object = DEFAULT_PAGE_SIZE,
    before_id: object = None,
    shop_id: int | None = None,
) -> list[PostView]:
    """One page of a feed, newest first; pass the last post's id as before_id for the next page.

    app=None mixes the four apps; shop_id keeps one shop's posts (its storefront). Pages are ordered by (created_at, id), and before_id
    resumes right after that post in this order, so no post is skipped or repeated even
    when posts were not created in id order.
    """
    app_value = None if app is None else parse_app(app).value
    lang = clean_language(language)
    page_size = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    if page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError("limit_invalid", max=MAX_PAGE_SIZE)
    cursor_id = None
    if before_id is not None:
        cursor_id = parse_id(before_id)
        if cursor_id is None:
            raise ValidationError("cursor_invalid")

    like_count = select(func.count(Like.id)).where(Like.post_id == Post.id).correlate(Post).scalar_subquery()
    comment_count = (
        select(func.count(Comment.id)).where(Comment.post_id == Post.id).correlate(Post).scalar_subquery()
    )
    viewer_id = viewer.id if viewer is not None else None
    liked = (
        exists().where(Like.post_id == Post.id, Like.user_id == viewer_id).correlate(Post)
        if viewer_id is not None
        else None
    )
    columns = [Post, User.display_name, Shop.name, Shop.slug, Shop.logo, like_count, comment_count]
    if liked is not None:
        columns.append(liked)
    query = (
        select(*columns)
        .outerjoin(User, User.id == Post.author_user_id)
        .outerjoin(Shop, Shop.id == Post.author_shop_id)
        .where(or_(Post.author_shop_id.is_(None), Shop.deleted_at.is_(None)))  # type: ignore[union-attr]
    )
    if app_value is not None:
        query = query.where(Post.app == app_value)
    if shop_id is not None:
        query = query.where(Post.author_shop_id == shop_id)
    if cursor_id is not None:
        # A subquery, not a lookup first, to keep the page at a fixed number of queries. An
        # unknown cursor compares with NULL, matches nothing and ends the feed.
        cursor_time = select(Post.created_at).where(Post.id == cursor_id).scalar_subquery()
        query = query.where(
            or_(
                Post.created_at < cursor_time,
                and_(Post.created_at == cursor_time, Post.id < cursor_id),
            )
        )
    query = query.order_by(Post.created_at.desc(), Post.id.desc()).limit(page_size)  # type: ignore[attr-defined,union-attr]
    rows = session.exec(query).all()
    if not rows:
        return []

    post_ids = [row[0].id for row in rows]
    tags_by_post: dict[int, list[TagView]] = {pid: [] for pid in post_ids}
    tag_rows = session.exec(
        select(ProductTag, Product, Shop)
        .join(Product, Product.id == ProductTag.product_id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(ProductTag.post_id.in_(post_ids))  # type: ignore[attr-defined]
        .order_by(ProductTag.post_id, ProductTag.id)
    ).all()
    for tag, product, shop in tag_rows:
        # A withdrawn product cannot be bought, so its tag would only lead to an error.
        if not product_available(product, shop):
            continue
        tags_by_post[tag.post_id].append(
            TagView(
                product_id=product.id,  # type: ignore[arg-type]
                title=product.title,
                price_label=format_money(product.price_cents, product.currency, lang),
                price_cents=product.price_cents,
                currency=product.currency,
                x_pct=float(tag.x_pct),
                y_pct=float(tag.y_pct),
                shop_name=shop.name,
                shop_slug=shop.slug,
                in_stock=product.stock > 0,
                image=product.image,
            )
        )
    fundraisers = {
        f.post_id: fundraiser_view(f, lang)
        for f in session.exec(
            select(Fundraiser).where(Fundraiser.post_id.in_(post_ids))  # type: ignore[attr-defined]
        ).all()
    }

    avatars: dict[int, str] = {}
    views = []
    for row in rows:
        post, user_name, shop_name, shop_slug, shop_logo, likes, comments = row[:7]
        viewer_liked = bool(row[7]) if liked is not None else False
        if post.author_shop_id is not None:
            author_kind, author_name, avatar = "shop", shop_name or "", shop_logo or ""
        else:
            author_kind, author_name = "user", user_name or ""
            if post.author_user_id is not None and post.author_user_id not in avatars:
                avatars[post.author_user_id] = _avatar_for_user(post.author_user_id)
            avatar = avatars.get(post.author_user_id or 0, "")
        views.append(
            PostView(
                id=post.id,  # type: ignore[arg-type]
                app=post.app,
                author_name=author_name,
                author_kind=author_kind,
                author_shop_slug=shop_slug if author_kind == "shop" else None,
                author_avatar=avatar,
                text=post.text,
                image=post.image,
                created_at_label=format_datetime(post.created_at, lang),
                created_at_iso=iso_utc(post.created_at),
                like_count=int(likes or 0),
                liked_by_viewer=viewer_liked,
                comment_count=int(comments or 0),
                tags=tags_by_post[post.id],  # type: ignore[index]
                fundraiser=fundraisers.get(post.id),  # type: ignore[arg-type]
            )
        )
    return views


def _like_count(session: Session, post_id: int) -> int:
    return int(session.exec(select(func.count(Like.id)).where(Like.post_id == post_id)).one())


def toggle_like(session: Session, *, user: User, post_id: object) -> tuple[bool, int]:
    """Like or unlike; returns (liked now, like count).

    Plain DELETE-then-INSERT-ignore statements, so two clicks racing each other never
    hit the unique key with an error.
    """
    post = _get_visible_post(session, post_id)
    removed = session.exec(
        delete(Like).where(Like.post_id == post.id, Like.user_id == user.id)  # type: ignore[arg-type]
    ).rowcount
    if not removed:
        insert_ignore(session, Like, post_id=post.id, user_id=user.id, created_at=utcnow())
    return not removed, _like_count(session, post.id)  # type: ignore[arg-type]


def _comment_view(comment: Comment, author_name: str, language: str) -> CommentView:
    return CommentView(
        id=comment.id,  # type: ignore[arg-type]
        post_id=comment.post_id,
        author_name=author_name,
        author_id=comment.user_id,
        text=comment.text,
        created_at_label=format_datetime(comment.created_at, language),
    )


def add_comment(
    session: Session, *, user: User, post_id: object, text: object, language: object = "en"
) -> CommentView:
    clean = text.strip() if isinstance(text, str) else ""
    if not 1 <= len(clean) <= MAX_COMMENT_LENGTH:
        raise ValidationError("comment_invalid", max_length=MAX_COMMENT_LENGTH)
    post = _get_visible_post(session, post_id)
    comment = Comment(post_id=post.id, user_id=user.id, text=clean)  # type: ignore[arg-type]
    session.add(comment)
    session.flush()
    return _comment_view(comment, user.display_name, clean_language(language))


def list_comments(
    session: Session, *, post_id: object, language: object = "en", limit: object = MAX_COMMENTS_PAGE
) -> list[CommentView]:
    """A post's comments, oldest first (conversation order), at most `limit` of the latest."""
    post = _get_visible_post(session, post_id)
    page_size = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
    if page_size is None or not 1 <= page_size <= MAX_COMMENTS_PAGE:
        raise ValidationError("limit_invalid", max=MAX_COMMENTS_PAGE)
    lang = clean_language(language)
    rows = session.exec(
        select(Comment, User.display_name)
        .join(User, User.id == Comment.user_id)
        .where(Comment.post_id == post.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())  # type: ignore[attr-defined]
        .limit(page_size)
    ).all()
    return [_comment_view(c, name, lang) for c, name in reversed(rows)]


def _parse_position(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValidationError("tag_position_invalid")
    if isinstance(raw, str):
        try:
            raw = float(raw.strip()) if len(raw) <= 20 else None
        except ValueError:
            raw = None
    if not isinstance(raw, int | float) or not math.isfinite(raw) or not 0 <= raw <= 100:
        raise ValidationError("tag_position_invalid", min=0, max=100)
    return float(raw)


def tag_product(
    session: Session,
    *,
    post_id: object,
    product_id: object,
    x_pct: object,
    y_pct: object,
    user: User | None = None,
) -> ProductTag:
    """Draw a product on a post's image (x/y in percent). Tagging it again moves the tag.

    With `user`, the post must be theirs or their shop's and so must the product: a
    merchant cannot tag another merchant's post or sell from another shop. Without it
    (seed, admin scripts) any pairing is allowed.
    """
    x = _parse_position(x_pct)
    y = _parse_position(y_pct)
    post = _get_visible_post(session, post_id)
    pid = parse_id(product_id)
    row = (
        session.exec(
            select(Product, Shop).join(Shop, Shop.id == Product.shop_id).where(Product.id == pid)
        ).first()
        if pid is not None
        else None
    )
    if row is None:
        raise NotFound("product_not_found")
    product, shop = row
    if user is not None:
        owns_post = post.author_user_id == user.id or (
            post.author_shop_id is not None
            and session.exec(
                select(Shop.id).where(Shop.id == post.author_shop_id, Shop.owner_id == user.id)
            ).first()
            is not None
        )
        if not owns_post:
            raise NotFound("post_not_found")
        if shop.owner_id != user.id:
            raise NotFound("product_not_found")
    if not product_available(product, shop):
        raise Conflict("product_unavailable")

    existing = session.exec(
        select(ProductTag).where(ProductTag.post_id == post.id, ProductTag.product_id == product.id)
    ).first()
    if existing is not None:
        existing.x_pct, existing.y_pct = x, y
        session.add(existing)
        session.flush()
        return existing
    count = session.exec(select(func.count(ProductTag.id)).where(ProductTag.post_id == post.id)).one()
    if count >= MAX_TAGS_PER_POST:
        raise Conflict("too_many_tags", max=MAX_TAGS_PER_POST)
    tag = ProductTag(post_id=post.id, product_id=product.id, x_pct=x, y_pct=y)  # type: ignore[arg-type]
    session.add(tag)
    session.flush()
    return tag


def get_post_view(session: Session, *, viewer: User | None, post_id: object, language: object = "en") -> PostView:
    """One post as the feed shows it, for its permalink (/post/<id>): readable logged out.

    A garbage id, a missing post or a deleted shop's post is NotFound("post_not_found"); with
    no viewer, `liked_by_viewer` is False, so a logged-out page holds nothing private.
    """
    post = _get_visible_post(session, post_id)
    lang = clean_language(language)
    pid: int = post.id  # type: ignore[assignment]
    like_count = int(session.exec(select(func.count()).select_from(Like).where(Like.post_id == pid)).one())
    comment_count = int(session.exec(select(func.count()).select_from(Comment).where(Comment.post_id == pid)).one())
    viewer_liked = viewer is not None and session.exec(
        select(Like.id).where(Like.post_id == pid, Like.user_id == viewer.id)
    ).first() is not None
    tags: list[TagView] = []
    for tag, product, shop in session.exec(
        select(ProductTag, Product, Shop)
        .join(Product, Product.id == ProductTag.product_id)
        .join(Shop, Shop.id == Product.shop_id)
        .where(ProductTag.post_id == pid)
        .order_by(ProductTag.id)  # type: ignore[arg-type]
    ).all():
        if not product_available(product, shop):
            continue
        tags.append(
            TagView(
                product_id=product.id,  # type: ignore[arg-type]
                title=product.title,
                price_label=format_money(product.price_cents, product.currency, lang),
                price_cents=product.price_cents,
                currency=product.currency,
                x_pct=float(tag.x_pct),
                y_pct=float(tag.y_pct),
                shop_name=shop.name,
                shop_slug=shop.slug,
                in_stock=product.stock > 0,
                image=product.image,
            )
        )
    fundraiser = session.exec(select(Fundraiser).where(Fundraiser.post_id == pid)).first()
    if post.author_shop_id is not None:
        shop = session.get(Shop, post.author_shop_id)
        author_kind, author_name = "shop", shop.name if shop else ""
        author_slug, avatar = (shop.slug if shop else None), (shop.logo or "" if shop else "")
    else:
        author = session.get(User, post.author_user_id) if post.author_user_id is not None else None
        author_kind, author_name, author_slug = "user", author.display_name if author else "", None
        avatar = _avatar_for_user(post.author_user_id) if post.author_user_id is not None else ""
    return PostView(
        id=pid,
        app=post.app,
        author_name=author_name,
        author_kind=author_kind,
        author_shop_slug=author_slug,
        author_avatar=avatar,
        text=post.text,
        image=post.image,
        created_at_label=format_datetime(post.created_at, lang),
        created_at_iso=iso_utc(post.created_at),
        like_count=like_count,
        liked_by_viewer=viewer_liked,
        comment_count=comment_count,
        tags=tags,
        fundraiser=fundraiser_view(fundraiser, lang) if fundraiser is not None else None,
    )
