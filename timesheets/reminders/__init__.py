"""Reminders of the month-end close, one module per job: `schedule` (when), `recording` (each step
claimed once in the reminder ledger, before it is sent), `context` (what the messages say),
`automatic` (consultants, then their manager; managers with timesheets to approve),
`announcements` (the closing calendar, and its changes), `daily` (what the hourly task runs for a
firm) and `grouped` (the one-click grouped reminders the ADV sends from the reminders page).

Schedule (the firm's TimesheetPolicy), in working days relative to the deadline D:
- consultants whose timesheet of the month is not submitted: at each offset of
  `reminder_offsets` up to D (e.g. "-2,0": D-2 and D), then every working day after D; the
  friendly message before and on D, the "consequences of being late" one after;
- their manager (`reports_to`), once, at D + `escalate_after_working_days`, with the list of
  their consultants still late;
- managers with submitted timesheets waiting for their approval: the same schedule against the
  approval deadline;
- everyone who submits or approves: the month's calendar, once, `announce_days_ahead` days
  before the submission deadline.

Every message is first claimed in the reminder ledger (`notifications.ledger`: who, when, which
template; subject the month), *before* it is sent, with INSERT … ON CONFLICT DO NOTHING under the
ledger's unique (tenant, kind, subject, step, person) constraint: a periodic task that runs
twice, two workers at once, or two people clicking "send" at once, send each step once. The
step is the day's date ("2026-05-27"), "escalation", "announcement", or "manual:<date>" for a
grouped reminder (one per person and day). When the task has not run on a day, that day's step
is not sent later: only the current day's step goes.
"""

from .announcements import (  # noqa: F401
    DEADLINE_FIELDS,
    DEADLINE_LABELS,
    announce_calendar_changes,
    announce_calendars,
    announcement_audience,
    deadlines_of,
)
from .automatic import (  # noqa: F401
    APPROVAL_TRACK,
    SUBMISSION_TRACK,
    Track,
    Waiting,
    members_by_id,
    pending_approvals,
    send_approval_reminders,
    send_reminders,
    send_submission_reminders,
)
from .context import (  # noqa: F401
    approval_queue_url,
    approver_context,
    closing_url,
    consultant_context,
    current_tenant,
    first_name,
    format_day,
    format_month,
    full_name,
    language_for,
    send,
    timesheet_url,
)
from .daily import (  # noqa: F401
    REMINDER_HOUR,
    local_today,
    run_due,
)
from .grouped import (  # noqa: F401
    AUDIENCE_APPROVERS,
    AUDIENCE_CONSULTANTS,
    GROUPED_KIND,
    GROUPED_TEMPLATES,
    Candidate,
    GroupedResult,
    default_template,
    grouped_candidates,
    grouped_preview,
    grouped_reminder_send,
)
from .recording import (  # noqa: F401
    RunReport,
    claim,
    sent_count,
)
from .schedule import (  # noqa: F401
    is_reminder_day,
    months_in_play,
    parse_offsets,
    schedule_offset,
)
