"""Every write of the notifications core, one function per business action, by job:

- `common`: rights, the firm, languages, absolute links;
- `templates`: the firm's wording of messages, resolved and rendered;
- `outbox`: emails written in the caller's transaction, dispatched after commit, delivered once;
- `preferences`: who wants what, where;
- `inbox`: in-app notifications (and their emails);
- `digest`: the daily digest.

Callers write `from notifications import services` and `services.notify(...)`.
"""

from .common import (  # noqa: F401
    absolute_url,
)
from .digest import (  # noqa: F401
    DIGEST_HOUR,
    digest_send,
    digest_send_due,
)
from .inbox import (  # noqa: F401
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from .outbox import (  # noqa: F401
    MAX_ATTEMPTS,
    RETRY_BASE_SECONDS,
    RETRY_MAX_SECONDS,
    STUCK_SENDING_AFTER,
    broker_breaker,
    email_enqueue,
    outbox_email_deliver,
    outbox_email_retry,
    outbox_redispatch_due,
    sender_for,
)
from .preferences import (  # noqa: F401
    Channels,
    preferences_effective,
    preferences_update,
)
from .templates import (  # noqa: F401
    message_render,
    message_template_preview,
    message_template_reset,
    message_template_save,
)
