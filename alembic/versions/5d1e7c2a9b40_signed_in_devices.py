"""signed-in devices: user agent and last seen time of each login

Revision ID: 5d1e7c2a9b40
Revises: d41e7a9c2b10
Create Date: 2026-12-02 16:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = '5d1e7c2a9b40'
down_revision: Union[str, Sequence[str], None] = 'd41e7a9c2b10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        # Existing logins get an empty device ("unknown") until their next page load.
        batch_op.add_column(sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('user_agent')
