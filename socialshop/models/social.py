from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from socialshop.models.base import StrEnum, utcnow


class AppSurface(StrEnum):
    """The four apps SocialShop simulates; Pay can be switched on per app."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    MESSENGER = "messenger"
    WHATSAPP = "whatsapp"


MAX_TAGS_PER_POST = 5


class ProductCategory(StrEnum):
    """What kind of thing a product is: Pay → Insights groups spending by it."""

    FOOD = "food"
    DRINKS = "drinks"
    HOME = "home"
    BEAUTY = "beauty"
    BOOKS = "books"
    STATIONERY = "stationery"
    TOYS = "toys"
    OTHER = "other"


class Shop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", unique=True, index=True)
    name: str = Field(max_length=80)
    slug: str = Field(max_length=80, unique=True, index=True)
    description: str = Field(default="", max_length=2000)
    logo: str = Field(default="", max_length=255)
    # Shown on the storefront and printed on the shop's QR (EMV field 60, at most 15 characters).
    city: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})
    # Before fee packages: the commission in basis points. Kept for old rows; money.fees
    # computes every new order's fee from fee_package.
    fee_bps: int = Field(default=500)
    # The fee package (money.fees.PACKAGES) new orders are charged under.
    fee_package: str = Field(default="starter", max_length=16, sa_column_kwargs={"server_default": "starter"})
    fee_package_since: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    deleted_at: dt.datetime | None = None


class Product(SQLModel, table=True):
    # The last guard against overselling: a reservation that would go below zero fails.
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_product_stock_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id", index=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=4000)
    price_cents: int
    currency: str = Field(default="EUR", max_length=3)
    stock: int = Field(default=0)
    image: str = Field(default="", max_length=255)
    active: bool = Field(default=True)
    category: str = Field(
        default=ProductCategory.OTHER.value, max_length=16, sa_column_kwargs={"server_default": "other"}
    )
    created_at: dt.datetime = Field(default_factory=utcnow)


class Post(SQLModel, table=True):
    """A post by a person or a shop on one app surface."""

    # Feeds page newest first with a row-value keyset `(created_at, id) < (?, ?)`: each
    # feed (all apps, one app, one storefront) reads its page as one index range.
    __table_args__ = (
        Index("ix_post_created_at_id", "created_at", "id"),
        Index("ix_post_app_created_at_id", "app", "created_at", "id"),
        Index("ix_post_author_shop_id_created_at_id", "author_shop_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_shop_id: int | None = Field(default=None, foreign_key="shop.id", index=True)
    app: str = Field(max_length=16, index=True)
    text: str = Field(default="", max_length=4000)
    image: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class ProductTag(SQLModel, table=True):
    """A product drawn on a post's image; x/y are percentages of the image size."""

    __table_args__ = (UniqueConstraint("post_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    x_pct: float = Field(default=50.0)
    y_pct: float = Field(default=50.0)


class Like(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    text: str = Field(max_length=2000)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Fundraiser(SQLModel, table=True):
    """A post that collects donations; raised_cents is kept in step with the ledger."""

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", unique=True, index=True)
    title: str = Field(max_length=120)
    organizer_id: int = Field(foreign_key="user.id", index=True)
    goal_cents: int
    raised_cents: int = Field(default=0)
    currency: str = Field(default="EUR", max_length=3)
    created_at: dt.datetime = Field(default_factory=utcnow)
