"""scorecard weights: the national scorecard's indicators, points and thresholds as data

One row per indicator of each version; version 1 is Quyết định 766/QĐ-TTg (23 June 2022) as
provinces publish its scoring tables. The group totals (18, 20, 22, 22, 18) are the published
ones; where the share of one indicator inside its group is not yet checked against the
decision's appendix, its `source` says so. A later amendment is a new version with its own
effective date, never an edit of these rows.

Revision ID: d6dcc8a24695
Revises: aff60f669ab0
Create Date: 2026-12-02 02:03:01.415525
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = 'd6dcc8a24695'
down_revision: str | None = 'aff60f669ab0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECISION = "QĐ 766/QĐ-TTg (23/6/2022), appendix"
PUBLISHED = f"{DECISION}: points and threshold as the provinces' scoring tables publish them"
TO_CHECK = (f"{DECISION}: group total as published; this indicator's share of it not yet "
            "checked against the appendix")
GROUPS = {
    1: ("Công khai, minh bạch", 18),
    2: ("Tiến độ, kết quả giải quyết", 20),
    3: ("Cung cấp dịch vụ trực tuyến, thanh toán trực tuyến", 22),
    4: ("Số hóa hồ sơ", 22),
    5: ("Mức độ hài lòng", 18),
}
# indicator, name, full marks, threshold (None: informational), measure, source
INDICATORS = [
    ("1.1", "Tỷ lệ TTHC công bố đúng hạn", 4, 100, "percent", TO_CHECK),
    ("1.2", "Tỷ lệ TTHC được cập nhật, công khai đúng hạn", 4, 100, "percent", TO_CHECK),
    ("1.3", "Tỷ lệ TTHC công khai đầy đủ các bộ phận tạo thành", 4, 100, "percent", TO_CHECK),
    ("1.4", "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", 6, 100, "percent", TO_CHECK),
    ("2.1", "Tỷ lệ hồ sơ đã và đang xử lý đúng hạn, trong hạn (tiến độ giải quyết)", 20, 100,
     "percent", PUBLISHED),
    ("2.2", "Thời gian giải quyết TTHC trung bình", 0, None, "working_days", PUBLISHED),
    ("3.1", "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến", 4, 80, "percent", TO_CHECK),
    ("3.2", "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ", 4, 100, "percent", TO_CHECK),
    ("3.3", "Tỷ lệ hồ sơ nộp trực tuyến", 4, 50, "percent", TO_CHECK),
    ("3.4", "Tỷ lệ TTHC có nghĩa vụ tài chính triển khai thanh toán trực tuyến", 2, 100,
     "percent", TO_CHECK),
    ("3.5", "Tỷ lệ TTHC có nghĩa vụ tài chính tích hợp thanh toán trực tuyến trên Cổng DVCQG",
     2, 80, "percent", PUBLISHED),
    ("3.6", "Tỷ lệ hồ sơ thanh toán trực tuyến", 6, 30, "percent", PUBLISHED),
    ("4.1", "Tỷ lệ hồ sơ có cấp kết quả giải quyết điện tử", 6, 100, "percent", TO_CHECK),
    ("4.2", "Tỷ lệ hồ sơ thực hiện số hóa", 8, 80, "percent", TO_CHECK),
    ("4.3", "Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa", 8, 80, "percent", TO_CHECK),
    ("5.1", "Tỷ lệ phản ánh, kiến nghị theo phân loại", 2, 100, "percent", TO_CHECK),
    ("5.2", "Tiến độ xử lý phản ánh, kiến nghị", 4, 100, "percent", TO_CHECK),
    ("5.3", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", 4, 100, "percent", TO_CHECK),
    ("5.4", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 8, 90, "percent", TO_CHECK),
]


def upgrade() -> None:
    table = op.create_table('scorecard_weights',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=8), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('group_code', sa.SmallInteger(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('group_max_points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.CheckConstraint("measure IN ('percent', 'working_days')", name=op.f('ck_scorecard_weights_measure')),
    sa.CheckConstraint('max_points >= 0', name=op.f('ck_scorecard_weights_points_not_negative')),
    sa.CheckConstraint('version > 0', name=op.f('ck_scorecard_weights_positive_version')),
    sa.PrimaryKeyConstraint('version', 'indicator', name=op.f('pk_scorecard_weights'))
    )
    assert table is not None
    op.bulk_insert(table, [
        {"version": 1, "indicator": code, "effective_from": date(2022, 6, 23),
         "group_code": int(code.split(".")[0]), "group_name": GROUPS[int(code.split(".")[0])][0],
         "group_max_points": Decimal(GROUPS[int(code.split(".")[0])][1]), "name": name,
         "max_points": Decimal(points),
         "threshold": None if threshold is None else Decimal(threshold),
         "measure": measure, "source": source}
        for code, name, points, threshold, measure, source in INDICATORS
    ])


def downgrade() -> None:
    op.drop_table('scorecard_weights')
