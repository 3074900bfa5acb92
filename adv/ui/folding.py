"""Accent-insensitive sorting and search with plain SQL (no ICU collation nor `unaccent`
extension): "Énergies" sorts with the E's and "helene" finds "Hélène"."""

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

_ACCENTED = "áàâäãåçéèêëíìîïñóòôöõúùûüýÿÁÀÂÄÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy"
_FOLD_TABLE = str.maketrans(_ACCENTED, _PLAIN)


def fold(text: str) -> str:
    """The Python twin of `folded`: lower case, common Latin accents removed."""
    return text.lower().translate(_FOLD_TABLE)


def folded(expression) -> Func:
    """The SQL expression `expression` lower-cased with its accents removed, as `fold` does."""
    return Func(Lower(expression), Value(_ACCENTED), Value(_PLAIN), function="translate", output_field=CharField())
