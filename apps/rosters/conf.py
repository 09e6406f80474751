"""Import limits; override any of them in settings.ROSTERS (or the environment, see settings)."""

from django.conf import settings

DEFAULTS = {
    "MAX_ROWS": 200_000,  # data rows per file
    "MAX_FILE_MB": 50,  # uploaded file size
    "MAX_COLUMNS": 100,  # declared xlsx width
    "MAX_UNPACKED_MB": 500,  # one xlsx worksheet once unzipped (zip bombs)
    "BATCH_SIZE": 2000,  # rows per write statement and per progress report
    "PREVIEW_CHANGES": 50,  # changes listed on the preview page
}


def limit(name: str):
    return {**DEFAULTS, **getattr(settings, "ROSTERS", {})}[name]
