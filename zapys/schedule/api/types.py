"""Input types more than one of the schedule's API modules uses."""

from typing import Annotated

from ninja import Field

Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday")]
#: A visit status's code (a slug, as the model stores it).
StatusCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
