"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:03:26.156232
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=True),
    sa.Column('effective_interval', sa.Integer(), nullable=True),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('etag', sa.String(length=512), nullable=True),
    sa.Column('last_modified', sa.String(length=128), nullable=True),
    sa.Column('body_hash', sa.String(length=64), nullable=True),
    sa.Column('polls_since_full', sa.Integer(), nullable=False),
    sa.Column('next_poll_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_new_item_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_class', sa.String(length=32), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('items_seen', sa.Integer(), nullable=False),
    sa.Column('gone', sa.Boolean(), nullable=False),
    sa.Column('leased_by', sa.String(length=128), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feeds')),
    sa.UniqueConstraint('url', name=op.f('uq_feeds_url'))
    )
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feeds_lease_until'), ['lease_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_feeds_next_poll_at'), ['next_poll_at'], unique=False)

    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_article_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories'))
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('canonical_url', sa.String(length=2048), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('outlet', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('relevant', sa.Boolean(), nullable=False),
    sa.Column('relevance', sa.Float(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('shingles', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('needs_retry', sa.Boolean(), nullable=False),
    sa.Column('next_recheck_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('feed_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_articles_story_id_stories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('canonical_url', name=op.f('uq_articles_canonical_url'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_next_recheck_at'), ['next_recheck_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)

    with op.batch_alter_table('stories') as batch:
        batch.create_foreign_key(
            op.f('fk_stories_first_article_id_articles'), 'articles',
            ['first_article_id'], ['id'], ondelete='SET NULL',
        )
    op.create_table('fetch_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('new_items', sa.Integer(), nullable=False),
    sa.Column('error_class', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], name=op.f('fk_fetch_events_feed_id_feeds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fetch_events'))
    )
    with op.batch_alter_table('fetch_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fetch_events_feed_id'), ['feed_id'], unique=False)

    op.create_table('article_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_events_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_events'))
    )
    with op.batch_alter_table('article_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_events_article_id'), ['article_id'], unique=False)

    op.create_table('article_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_versions_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_versions')),
    sa.UniqueConstraint('article_id', 'fingerprint', name=op.f('uq_article_versions_article_id_fingerprint')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_article_versions_article_id_number'))
    )
    op.create_table('content_fingerprints',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_content_fingerprints_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_content_fingerprints'))
    )
    with op.batch_alter_table('content_fingerprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_fingerprints_article_id'), ['article_id'], unique=False)

    op.create_table('feed_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=2048), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_feed_items_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], name=op.f('fk_feed_items_feed_id_feeds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_items')),
    sa.UniqueConstraint('feed_id', 'guid', name=op.f('uq_feed_items_feed_id_guid'))
    )
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_items_article_id'), ['article_id'], unique=False)

    op.create_table('lsh_bands',
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.BigInteger(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_lsh_bands_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band', 'bucket', 'article_id', name=op.f('pk_lsh_bands'))
    )
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lsh_bands_article_id'), ['article_id'], unique=False)

    op.create_table('url_aliases',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_url_aliases_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('url', name=op.f('pk_url_aliases'))
    )
    with op.batch_alter_table('url_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_url_aliases_article_id'), ['article_id'], unique=False)

    op.create_table('figure_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=8), nullable=True),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('low', sa.BigInteger(), nullable=True),
    sa.Column('high', sa.BigInteger(), nullable=True),
    sa.Column('qualifier', sa.String(length=16), nullable=False),
    sa.Column('modality', sa.String(length=16), nullable=False),
    sa.Column('claimant', sa.String(length=32), nullable=True),
    sa.Column('claimant_raw', sa.Text(), nullable=True),
    sa.Column('scope', sa.String(length=16), nullable=True),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_figure_claims_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], name=op.f('fk_figure_claims_version_id_article_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure_claims')),
    sa.UniqueConstraint('version_id', 'start', 'metric', name=op.f('uq_figure_claims_version_id_start_metric'))
    )
    with op.batch_alter_table('figure_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figure_claims_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_figure_claims_series', ['subject', 'metric', 'claimant', 'claimed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_claims_version_id'), ['version_id'], unique=False)

    op.create_table('ingest_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('locator', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('worker_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_ingest_events_article_id_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], name=op.f('fk_ingest_events_feed_id_feeds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['article_versions.id'], name=op.f('fk_ingest_events_version_id_article_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_events'))
    )
    with op.batch_alter_table('ingest_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_events_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ingest_events_at'), ['at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stories') as batch:
        batch.drop_constraint(op.f('fk_stories_first_article_id_articles'), type_='foreignkey')
    with op.batch_alter_table('ingest_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_events_at'))
        batch_op.drop_index(batch_op.f('ix_ingest_events_article_id'))

    op.drop_table('ingest_events')
    with op.batch_alter_table('figure_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_claims_version_id'))
        batch_op.drop_index('ix_figure_claims_series')
        batch_op.drop_index(batch_op.f('ix_figure_claims_article_id'))

    op.drop_table('figure_claims')
    with op.batch_alter_table('url_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_url_aliases_article_id'))

    op.drop_table('url_aliases')
    with op.batch_alter_table('lsh_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lsh_bands_article_id'))

    op.drop_table('lsh_bands')
    with op.batch_alter_table('feed_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_items_article_id'))

    op.drop_table('feed_items')
    with op.batch_alter_table('content_fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_fingerprints_article_id'))

    op.drop_table('content_fingerprints')
    op.drop_table('article_versions')
    with op.batch_alter_table('article_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_events_article_id'))

    op.drop_table('article_events')
    with op.batch_alter_table('fetch_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fetch_events_feed_id'))

    op.drop_table('fetch_events')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_index(batch_op.f('ix_articles_published_at'))
        batch_op.drop_index(batch_op.f('ix_articles_next_recheck_at'))

    op.drop_table('articles')
    op.drop_table('stories')
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feeds_next_poll_at'))
        batch_op.drop_index(batch_op.f('ix_feeds_lease_until'))

    op.drop_table('feeds')
