"""English pages write dates day first (22/11/2026), as the map and charts do (en-GB) and as
Vietnamese readers expect; Django's ``en`` default is the US month-first order."""

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
