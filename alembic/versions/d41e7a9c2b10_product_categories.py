"""product categories, for Pay insights' spending by category

Revision ID: d41e7a9c2b10
Revises: b7332076ba26
Create Date: 2026-12-02 16:15:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = 'd41e7a9c2b10'
down_revision: Union[str, Sequence[str], None] = 'b7332076ba26'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every product gets a category; existing ones start as "other" (the seed fills in its own)."""
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='other', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('category')
