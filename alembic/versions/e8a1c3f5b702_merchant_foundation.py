"""merchant foundation: shop city and fee package, order fee breakdown, source, shipping
details and note, customer pseudonyms per shop

Revision ID: e8a1c3f5b702
Revises: 7b2f4c8e1d55
Create Date: 2026-12-03 08:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e8a1c3f5b702'
down_revision: Union[str, Sequence[str], None] = '7b2f4c8e1d55'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fee_package', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='starter', nullable=False))
        batch_op.add_column(sa.Column('fee_package_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_flat_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('fee_package', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fee_refunded_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='checkout', nullable=False))
        batch_op.add_column(sa.Column('needs_shipping', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('shipped_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=140), server_default='', nullable=False))
    op.create_table(
        'shopcustomer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('first_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('reset_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('shop_id', 'alias'),
        sa.UniqueConstraint('shop_id', 'user_id'),
    )
    with op.batch_alter_table('shopcustomer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shopcustomer_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shopcustomer_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('shopcustomer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shopcustomer_user_id'))
        batch_op.drop_index(batch_op.f('ix_shopcustomer_shop_id'))
    op.drop_table('shopcustomer')
    with op.batch_alter_table('order', schema=None) as batch_op:
        for column in ('note', 'shipped_at', 'tracking_number', 'carrier', 'needs_shipping', 'source',
                       'fee_refunded_cents', 'fee_package', 'fee_flat_cents'):
            batch_op.drop_column(column)
    with op.batch_alter_table('shop', schema=None) as batch_op:
        for column in ('fee_package_since', 'fee_package', 'city'):
            batch_op.drop_column(column)
