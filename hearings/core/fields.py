"""Form fields every capability shares: numbers that can neither crash a comparison nor
overflow a database column, whatever a form sends ("NaN", "Infinity", "1e999", 300 nines)."""
from decimal import Decimal, InvalidOperation

from wtforms import DecimalField


class FiniteDecimalField(DecimalField):
    """A decimal below 10 trillion in size; NaN and infinities are "not a valid decimal"."""

    limit = Decimal("1e13")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                ok = self.data.is_finite() and abs(self.data) < self.limit and self.acceptable(self.data)
            except InvalidOperation:
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
