"""history indexes: a user's payments and the transfers sent to them, by time

Revision ID: c4d9e2a1f7b3
Revises: 5d1e7c2a9b40
Create Date: 2026-12-02 16:40:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c4d9e2a1f7b3'
down_revision: Union[str, Sequence[str], None] = '5d1e7c2a9b40'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_payer_id_created_at', ['payer_id', 'created_at'], unique=False)
        batch_op.create_index(
            'ix_payment_counterparty_user_id_created_at', ['counterparty_user_id', 'created_at'], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_counterparty_user_id_created_at')
        batch_op.drop_index('ix_payment_payer_id_created_at')
