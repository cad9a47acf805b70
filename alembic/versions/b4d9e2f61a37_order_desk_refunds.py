"""order desk: refund attempts (merchant, support and buyer refunds through the money
engine), the pending refund held on an order, the desk's index on a shop's orders

Revision ID: b4d9e2f61a37
Revises: e8a1c3f5b702
Create Date: 2026-12-03 08:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b4d9e2f61a37'
down_revision: Union[str, Sequence[str], None] = 'e8a1c3f5b702'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_pending_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_order_shop_id_created_at_id', ['shop_id', 'created_at', 'id'], unique=False)
    op.create_table(
        'refundattempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('cancels_order', sa.Boolean(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('fee_cents', sa.Integer(), nullable=False),
        sa.Column('refund_id', sa.Integer(), nullable=True),
        sa.Column('failure_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id']),
        sa.ForeignKeyConstraint(['order_id'], ['order.id']),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id']),
        sa.ForeignKeyConstraint(['refund_id'], ['refund.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key'),
    )
    with op.batch_alter_table('refundattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refundattempt_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_refundattempt_status_updated_at', ['status', 'updated_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('refundattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_refundattempt_status_updated_at')
        batch_op.drop_index(batch_op.f('ix_refundattempt_order_id'))
    op.drop_table('refundattempt')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index('ix_order_shop_id_created_at_id')
        batch_op.drop_column('refund_pending_cents')
