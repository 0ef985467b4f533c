"""No FunctionApp here."""

VALUE = 1
