"""Ukrainian output formats where Django's own read wrong: a day number before a month is
not zero-padded ("3 грудня", Django's "03 грудня") and takes the genitive month (Django's
MONTH_DAY_FORMAT gives "03 Грудень"). Input formats stay Django's (not set here).
zapys/core/tests/test_date_formats.py renders every format the product uses."""

DATE_FORMAT = "j E Y р."
DATETIME_FORMAT = "j E Y р., H:i"
MONTH_DAY_FORMAT = "j E"
