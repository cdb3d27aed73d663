"""Every ORM model, imported once so Base.metadata knows all tables (Alembic, tests)."""

from app.audit.models import AuditEntry
from app.auth.models import ApiKey
from app.calendar.models import CacheStamp, CalendarOverride
from app.catalog.models import Procedure, Unit
from app.dossiers.models import Dossier, DossierEvent, DossierSequence
from app.notifications.models import OutboxEvent, Webhook, WebhookDelivery
from app.portal.models import PortalSync
from app.postal.models import PostalReturn
from app.scorecard.models import ScorecardWeight
from app.stats.models import stat_day, stat_histogram, stat_month
from app.submissions.models import Submission

__all__ = [
    "ApiKey",
    "AuditEntry",
    "CacheStamp",
    "CalendarOverride",
    "Dossier",
    "DossierEvent",
    "DossierSequence",
    "OutboxEvent",
    "PortalSync",
    "PostalReturn",
    "Procedure",
    "ScorecardWeight",
    "Submission",
    "Unit",
    "Webhook",
    "WebhookDelivery",
    "stat_day",
    "stat_histogram",
    "stat_month",
]
