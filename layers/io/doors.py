"""Which door an import came through, so that its messages name the options the user can change.

``manage.py import_layer`` has flags (``--srs 9217``, ``--mode upsert``, ``--key code``,
``--map SRC=DST``, ``--layer-name``, ``--user``); the REST API and the map page's Jobs tab (which
posts to it) have the form fields ``srs`` and ``mode`` and none of the others. "Pass --srs" said
to someone filling in the Jobs tab's form points at nothing, so every message that names an option
asks its door how: ``door.option("srs")`` is ``--srs`` or ``srs``, ``door.given("mode", "upsert")``
is ``--mode upsert`` or ``mode=upsert``, and ``door.has("map")`` tells whether there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Door:
    name: str
    options: dict[str, str] = field(default_factory=dict)  # option -> as the door spells it
    assign: str = "{option} {value}"  # an option given a value

    def has(self, option: str) -> bool:
        return option in self.options

    def option(self, option: str) -> str:
        """The option as this door spells it (an option it lacks keeps its plain name)."""
        return self.options.get(option, option)

    def given(self, option: str, value) -> str:
        """The option with a value as the user writes it: ``--mode upsert``, ``mode=upsert``."""
        return self.assign.format(option=self.option(option), value=value)


#: ``manage.py import_layer`` (and ``export_layer``).
COMMAND = Door(
    "command",
    {
        "srs": "--srs",
        "mode": "--mode",
        "key": "--key",
        "map": "--map",
        "layer_name": "--layer-name",
        "user": "--user",
    },
)
#: ``POST /api/v1/imports/`` and the Jobs tab's form, which posts to it; also the proposals' file
#: reading (``srs`` field).
API = Door("api", {"srs": "srs", "mode": "mode"}, assign="{option}={value}")
