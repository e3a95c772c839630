"""Signals that let features react to core events without the core importing them."""

from blinker import Namespace

_signals = Namespace()

# sender: the User; receivers return a dict merged into the export.
user_data_export = _signals.signal("user-data-export")
# sender: the User; receivers anonymise or delete what they hold about them.
user_data_erase = _signals.signal("user-data-erase")
