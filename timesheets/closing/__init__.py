"""The month-end close of the CRAs: the closing calendar and the firm's CRA rules, the month's
opening for everyone, completion and late reports (`selectors`), grouped reminders; its pages
(`views`, `forms`, `urls`), sidebar entries (`navigation`) and writes (`services`). The reminders
themselves are sent by `timesheets/reminders.py`."""
