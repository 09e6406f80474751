from .menu_work import TILES as WORK_TILES

TILES = [*WORK_TILES]
