"""Output datetimes in Vietnamese local time (+07:00), whatever the database returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

LocalDatetime = Annotated[datetime, AfterValidator(lambda d: d.astimezone(VN_TZ))]
