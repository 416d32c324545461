"""Form fields every capability shares: numbers that can neither crash a comparison nor
overflow a database column, whatever a form sends ("NaN", "Infinity", "1e999", 300 nines)."""
import re
import unicodedata
from decimal import Decimal

from wtforms import DateField, DateTimeLocalField, DecimalField


class FiniteDecimalField(DecimalField):
    """A decimal below 10 trillion in size; NaN and infinities are "not a valid decimal"."""

    limit = Decimal("1e13")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                ok = self.data.is_finite() and abs(self.data) < self.limit and self.acceptable(self.data)
            except ArithmeticError:  # InvalidOperation, and Overflow for 1E+1000000
                ok = False
            if not ok:
                self.data = None
                raise ValueError(self.gettext("Not a valid decimal value."))

    def acceptable(self, value):
        return True


class SomField(FiniteDecimalField):
    """Som with at most two decimals (tyiyn)."""

    def acceptable(self, value):
        return value == value.quantize(Decimal("0.01"))


class _EventYears:
    """Dates of hearings, votes and decisions: years 2000–2100. Year 1 or 9999 is a typing
    slip (and year 1 overflows the time-zone conversion)."""

    min_year, max_year = 2000, 2100

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.min_year <= self.data.year <= self.max_year:
            self.data = None
            raise ValueError(self.gettext("Enter a date between the years 2000 and 2100."))


class EventDateTimeField(_EventYears, DateTimeLocalField):
    pass


class EventDateField(_EventYears, DateField):
    pass


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean_text(value):
    """WTForms filter for text people type: NFC (Kyrgyz ң ө ү stored one way, as domain.md
    asks), no control, zero-width or direction characters, no surrounding spaces. A name made
    only of invisible characters is then an empty name, which `DataRequired` refuses."""
    if not isinstance(value, str):
        return value
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", value)).strip()
