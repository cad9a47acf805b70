"""keyset indexes: feeds, storefronts, the history, the buyer's orders and payouts read (created_at, id) ranges

Revision ID: c8280efd41ab
Revises: f3b9d2e6a418
Create Date: 2026-12-03 13:40:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c8280efd41ab'
down_revision: Union[str, Sequence[str], None] = 'f3b9d2e6a418'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_post_app_created_at_id', ['app', 'created_at', 'id'], unique=False)
        batch_op.create_index(
            'ix_post_author_shop_id_created_at_id', ['author_shop_id', 'created_at', 'id'], unique=False
        )
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.create_index('ix_order_buyer_id_created_at_id', ['buyer_id', 'created_at', 'id'], unique=False)
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.create_index('ix_payout_shop_id_created_at_id', ['shop_id', 'created_at', 'id'], unique=False)
    # The history's (payer, time) indexes gain the id: the keyset's tie-break is then in the index.
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_payment_payer_id_created_at_id', ['payer_id', 'created_at', 'id'], unique=False
        )
        batch_op.create_index(
            'ix_payment_counterparty_user_id_created_at_id',
            ['counterparty_user_id', 'created_at', 'id'],
            unique=False,
        )
        batch_op.drop_index('ix_payment_payer_id_created_at')
        batch_op.drop_index('ix_payment_counterparty_user_id_created_at')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_payment_counterparty_user_id_created_at', ['counterparty_user_id', 'created_at'], unique=False
        )
        batch_op.create_index('ix_payment_payer_id_created_at', ['payer_id', 'created_at'], unique=False)
        batch_op.drop_index('ix_payment_counterparty_user_id_created_at_id')
        batch_op.drop_index('ix_payment_payer_id_created_at_id')
    with op.batch_alter_table('payout', schema=None) as batch_op:
        batch_op.drop_index('ix_payout_shop_id_created_at_id')
    with op.batch_alter_table('order', schema=None) as batch_op:
        batch_op.drop_index('ix_order_buyer_id_created_at_id')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_author_shop_id_created_at_id')
        batch_op.drop_index('ix_post_app_created_at_id')
        batch_op.drop_index('ix_post_created_at_id')
