"""user handles: "@giulia", how people find each other in Messenger money

Revision ID: 7b2f4c8e1d55
Revises: c4d9e2a1f7b3
Create Date: 2026-12-02 18:10:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '7b2f4c8e1d55'
down_revision: Union[str, Sequence[str], None] = 'c4d9e2a1f7b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handle', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_handle'), ['handle'], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_handle'))
        batch_op.drop_column('handle')
