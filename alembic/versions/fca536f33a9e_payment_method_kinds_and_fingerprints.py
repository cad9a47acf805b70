"""payment method kinds and fingerprints

Revision ID: fca536f33a9e
Revises: caefae79c7cf
Create Date: 2026-11-22 08:22:33.293958

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'fca536f33a9e'
down_revision: Union[str, Sequence[str], None] = 'caefae79c7cf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """PayPal accounts next to cards, and one saved copy of each method per user."""
    with op.batch_alter_table('paymentmethod', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='card', nullable=False))
        batch_op.add_column(sa.Column('account_email', sqlmodel.sql.sqltypes.AutoString(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))

    # Saved cards get the fingerprint services.payment_methods gives new ones. Cards saved
    # twice before duplicates were refused: only the oldest copy gets it (the unique index
    # would refuse the rest); the service still sees the others as the same card.
    op.execute(sa.text(
        """
        UPDATE paymentmethod SET fingerprint =
            'card:' || brand || ':' || last4 || ':' || CAST(exp_month AS VARCHAR) || '/' || CAST(exp_year AS VARCHAR)
        WHERE removed_at IS NULL AND id = (
            SELECT MIN(other.id) FROM paymentmethod AS other
            WHERE other.user_id = paymentmethod.user_id AND other.removed_at IS NULL
              AND other.brand = paymentmethod.brand AND other.last4 = paymentmethod.last4
              AND other.exp_month = paymentmethod.exp_month AND other.exp_year = paymentmethod.exp_year
        )
        """
    ))
    op.create_index(
        'ux_paymentmethod_user_fingerprint', 'paymentmethod', ['user_id', 'fingerprint'], unique=True,
        sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ux_paymentmethod_user_fingerprint', table_name='paymentmethod')
    with op.batch_alter_table('paymentmethod', schema=None) as batch_op:
        batch_op.drop_column('fingerprint')
        batch_op.drop_column('account_email')
        batch_op.drop_column('kind')

