"""Vietnamese formats on top of Django's ``vi`` locale, which sets the separators ("." for
thousands, "," for decimals) but groups no digits ("5279 ha" instead of "5.279 ha") and writes
short dates with dashes where Vietnamese documents write 22/11/2026."""

NUMBER_GROUPING = 3
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
