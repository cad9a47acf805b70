"""The four app feeds: posts, likes, comments and the products tagged on post images.

A feed page costs one statement whatever its length and depth (posts with their counts,
the viewer's likes, tags and fundraisers): the feed is the busiest page, and per-post
lookups would grow with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, delete, func, literal, or_, tuple_
from sqlalchemy import select as sa_select
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
    return _fundraiser_view(
        fundraiser.id,  # type: ignore[arg-type]
        fundraiser.title,
        fundraiser.goal_cents,
        fundraiser.raised_cents,
        fundraiser.currency,
        language,
    )


def _fundraiser_view(fid: int, title: str, goal_cents: int, raised_cents: int, currency: str, language: str) -> FundraiserView:
    goal = max(goal_cents, 0)
    raised = max(raised_cents, 0)
    # Floor, and capped: "100%" must mean the goal was really reached.
    percent = min(100, raised * 100 // goal) if goal else 0
    return FundraiserView(
        id=fid,
        title=title,
        goal_label=format_money(goal, currency, language),
        raised_label=format_money(raised, currency, language),
        raised_cents=raised,
        goal_cents=goal,
        percent=percent,
        currency=currency,
    )


@functools.lru_cache(maxsize=32)
def _feed_statement(*, with_viewer: bool, with_app: bool, with_shop: bool, with_cursor: bool) -> Select:
    """The page's posts with everything shown about them, built once per shape.

    Core tables and bound parameters: the statement is made and compiled once per process
    (SQLAlchemy caches its SQL), not once per page. Parameters: viewer_id, app, shop_id,
    cursor_id, page_size.
    """
    post, user, shop, like, comment, fundraiser = (
        Post.__table__, User.__table__, Shop.__table__, Like.__table__, Comment.__table__, Fundraiser.__table__,  # type: ignore[attr-defined]
    )
    # count(*), not count(like.id): the (post_id, user_id) key alone answers it.
    like_count = sa_select(func.count()).select_from(like).where(like.c.post_id == post.c.id).scalar_subquery()
    comment_count = (
        sa_select(func.count()).select_from(comment).where(comment.c.post_id == post.c.id).scalar_subquery()
    )
    # One probe of the (post_id, user_id) key per post of the page, never the viewer's
    # whole list of likes (an EXISTS may be planned as a hash of all of them).
    liked = (
        sa_select(func.count())
        .select_from(like)
        .where(like.c.post_id == post.c.id, like.c.user_id == bindparam("viewer_id"))
        .scalar_subquery()
        if with_viewer
        else literal(0)
    )
    query = (
        sa_select(
            post.c.id,
            post.c.app,
            post.c.author_user_id,
            post.c.author_shop_id,
            post.c.text,
            post.c.image,
            post.c.created_at,
            user.c.display_name,
            shop.c.name,
            shop.c.slug,
            shop.c.logo,
            like_count,
            comment_count,
            liked,
            fundraiser.c.id,
            fundraiser.c.title,
            fundraiser.c.goal_cents,
            fundraiser.c.raised_cents,
            fundraiser.c.currency,
        )
        .select_from(
            post.outerjoin(user, user.c.id == post.c.author_user_id)
            .outerjoin(shop, shop.c.id == post.c.author_shop_id)
            .outerjoin(fundraiser, fundraiser.c.post_id == post.c.id)
        )
        .where(or_(post.c.author_shop_id.is_(None), shop.c.deleted_at.is_(None)))
    )
    if with_app:
        query = query.where(post.c.app == bindparam("app"))
    if with_shop:
        query = query.where(post.c.author_shop_id == bindparam("shop_id"))
    if with_cursor:
        # A subquery, not a lookup first, to keep the page at a fixed number of queries. An
        # unknown cursor compares with NULL, matches nothing and ends the feed.
        cursor_post = post.alias("cursor_post")
        cursor_id = bindparam("cursor_id", type_=post.c.id.type)
        cursor_time = sa_select(cursor_post.c.created_at).where(cursor_post.c.id == cursor_id).scalar_subquery()
        query = query.where(tuple_(post.c.created_at, post.c.id) < tuple_(cursor_time, cursor_id))
    page = query.order_by(post.c.created_at.desc(), post.c.id.desc()).limit(bindparam("page_size")).subquery("page")
    # The page's tagged products joined to it: one row per tag (or one for an untagged post).
    tag, product, tag_shop = ProductTag.__table__, Product.__table__, Shop.__table__.alias("tag_shop")  # type: ignore[attr-defined]
    return (
        sa_select(
            *page.c,
            tag.c.x_pct,
            tag.c.y_pct,
            product.c.id,
            product.c.title,
            product.c.price_cents,
            product.c.currency,
            product.c.stock,
            product.c.image,
            product.c.active,
            tag_shop.c.name,
            tag_shop.c.slug,
            tag_shop.c.deleted_at,
        )
        .select_from(
            page.outerjoin(tag, tag.c.post_id == page.c.id)
            .outerjoin(product, product.c.id == tag.c.product_id)
            .outerjoin(tag_shop, tag_shop.c.id == product.c.shop_id)
        )
        .order_by(page.c.created_at.desc(), page.c.id.desc(), tag.c.id)
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

    One statement per page whatever its length or depth: the page's posts (authors, counts,
    the viewer's like, the fundraiser) with their tagged products joined. The cursor
    is a row value, `(created_at, id) < (?, ?)`, which PostgreSQL and SQLite read as one
    range of the (created_at, id) indexes (plain, per app, per shop): a deep page costs
    what the first one does.
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
    viewer_id = viewer.id if viewer is not None else None

    statement = _feed_statement(
        with_viewer=viewer_id is not None,
        with_app=app_value is not None,
        with_shop=shop_id is not None,
        with_cursor=cursor_id is not None,
    )
    params = {
        "viewer_id": viewer_id,
        "app": app_value,
        "shop_id": shop_id,
        "cursor_id": cursor_id,
        "page_size": page_size,
    }
    if session.autoflush:
        session.flush()  # what session.exec does first: the session's own new rows count
    rows = session.connection().execute(
        statement, {name: value for name, value in params.items() if value is not None}
    ).all()

    return _post_views(rows, lang)


@functools.lru_cache(maxsize=8192)
def _time_labels(created_at: dt.datetime, _offset: dt.timedelta | None, lang: str) -> tuple[str, str]:
    """A post's time as shown and as ISO 8601, once per post and language (posts are read far
    more often than written). The offset is in the key: equal instants in two zones differ."""
    return format_datetime(created_at, lang), iso_utc(created_at)


def _post_views(rows, lang: str) -> list[PostView]:
    """PostViews from the feed statement's rows (a post with n tags comes as n rows)."""
    avatar_dir = str(images.generated_dir() / "avatars")
    avatars: dict[int, str] = {}
    views: list[PostView] = []
    for (
        post_id,
        post_app,
        author_user_id,
        author_shop_id,
        text,
        image,
        created_at,
        user_name,
        shop_name,
        shop_slug,
        shop_logo,
        likes,
        comments,
        viewer_likes,
        fundraiser_id,
        fundraiser_title,
        goal_cents,
        raised_cents,
        fundraiser_currency,
        x_pct,
        y_pct,
        product_id,
        product_title,
        price_cents,
        product_currency,
        stock,
        product_image,
        product_active,
        tag_shop_name,
        tag_shop_slug,
        tag_shop_deleted_at,
    ) in rows:
        if not views or views[-1].id != post_id:
            labels = _time_labels(created_at, created_at.utcoffset(), lang)
            if author_shop_id is not None:
                author_kind, author_name, avatar = "shop", shop_name or "", shop_logo or ""
            else:
                author_kind, author_name = "user", user_name or ""
                if author_user_id is not None and author_user_id not in avatars:
                    # images.existing_url's rule with one stat of a plain path (pathlib costs more).
                    drawn = os.path.isfile(f"{avatar_dir}/user-{author_user_id}.png")
                    avatars[author_user_id] = images.url_for("avatars", f"user-{author_user_id}") if drawn else ""
                avatar = avatars.get(author_user_id or 0, "")
            views.append(
                PostView(
                    id=post_id,
                    app=post_app,
                    author_name=author_name,
                    author_kind=author_kind,
                    author_shop_slug=shop_slug if author_kind == "shop" else None,
                    author_avatar=avatar,
                    text=text,
                    image=image,
                    created_at_label=labels[0],
                    created_at_iso=labels[1],
                    like_count=int(likes or 0),
                    liked_by_viewer=bool(viewer_likes),
                    comment_count=int(comments or 0),
                    tags=[],
                    fundraiser=_fundraiser_view(
                        fundraiser_id, fundraiser_title, goal_cents, raised_cents, fundraiser_currency, lang
                    )
                    if fundraiser_id is not None
                    else None,
                )
            )
        # A withdrawn product cannot be bought, so its tag would only lead to an error
        # (catalog.product_available's rule).
        if product_id is not None and product_active and tag_shop_name is not None and tag_shop_deleted_at is None:
            views[-1].tags.append(
                TagView(
                    product_id=product_id,
                    title=product_title,
                    price_label=format_money(price_cents, product_currency, lang),
                    price_cents=price_cents,
                    currency=product_currency,
                    x_pct=float(x_pct),
                    y_pct=float(y_pct),
                    shop_name=tag_shop_name,
                    shop_slug=tag_shop_slug,
                    in_stock=stock > 0,
                    image=product_image,
                )
            )
    return views


def _like_count(session: Session, post_id: int) -> int:
    return int(session.exec(select(func.count()).where(Like.post_id == post_id)).one())


def toggle_like(session: Session, *, user: User, post_id: object) -> tuple[bool, int]:
    """Like or unlike; returns (liked now, like count).

    Plain DELETE-then-INSERT-ignore statements, so two clicks racing each other never
    hit the unique key with an error.
    """
    post = _get_visible_post(session, post_id)
    # No ORM bookkeeping: likes are never loaded as objects here, so there is nothing to sync.
    removed = session.exec(
        delete(Like)
        .where(Like.post_id == post.id, Like.user_id == user.id)  # type: ignore[arg-type]
        .execution_options(synchronize_session=False)
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
    labels = _time_labels(post.created_at, post.created_at.utcoffset(), lang)
    if post.author_shop_id is not None:
        shop = session.get(Shop, post.author_shop_id)
        author_kind, author_name = "shop", shop.name if shop else ""
        author_slug, avatar = (shop.slug if shop else None), (shop.logo or "" if shop else "")
    else:
        author = session.get(User, post.author_user_id) if post.author_user_id is not None else None
        author_kind, author_name, author_slug = "user", author.display_name if author else "", None
        avatar = images.existing_url("avatars", f"user-{post.author_user_id}") if post.author_user_id is not None else ""
    return PostView(
        id=pid,
        app=post.app,
        author_name=author_name,
        author_kind=author_kind,
        author_shop_slug=author_slug,
        author_avatar=avatar,
        text=post.text,
        image=post.image,
        created_at_label=labels[0],
        created_at_iso=labels[1],
        like_count=like_count,
        liked_by_viewer=viewer_liked,
        comment_count=comment_count,
        tags=tags,
        fundraiser=fundraiser_view(fundraiser, lang) if fundraiser is not None else None,
    )
