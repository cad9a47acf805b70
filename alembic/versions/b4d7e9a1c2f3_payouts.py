"""payouts: money a shop moved from its balance to its bank account

Revision ID: b4d7e9a1c2f3
Revises: b4d9e2f61a37
Create Date: 2026-12-03 08:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b4d7e9a1c2f3'
down_revision: Union[str, Sequence[str], None] = 'b4d9e2f61a37'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'payout',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.Integer(), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('ledger_transaction_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ledger_transaction_id'], ['ledgertransaction.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payout_idempotency_key'), ['idempotency_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_payout_shop_id'), ['shop_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_shop_id'))
        batch_op.drop_index(batch_op.f('ix_payout_idempotency_key'))
        batch_op.drop_index(batch_op.f('ix_payout_created_at'))
    op.drop_table('payout')
