"""disputes: problems buyers report about an order, answered by the shop or escalated to support

Revision ID: f3b9d2e6a418
Revises: 2ba000bec160
Create Date: 2026-12-03 08:10:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f3b9d2e6a418'
down_revision: Union[str, Sequence[str], None] = '2ba000bec160'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'dispute',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('buyer_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('details', sa.Text(), server_default='', nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('answer', sa.Text(), server_default='', nullable=False),
        sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('escalated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('escalated_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('resolution', sa.Text(), server_default='', nullable=False),
        sa.Column('refunded_cents', sa.Integer(), nullable=False),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['buyer_id'], ['user.id']),
        sa.ForeignKeyConstraint(['order_id'], ['order.id']),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.create_index('ix_dispute_shop_id_created_at', ['shop_id', 'created_at'], unique=False)
        batch_op.create_index('ix_dispute_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_order_id'), ['order_id'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_order_id'))
        batch_op.drop_index(batch_op.f('ix_dispute_buyer_id'))
        batch_op.drop_index('ix_dispute_status_due_at')
        batch_op.drop_index('ix_dispute_shop_id_created_at')
    op.drop_table('dispute')
