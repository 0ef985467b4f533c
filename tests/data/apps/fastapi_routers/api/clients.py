"""Calls to the pricing service, shared by the routes."""

import requests

PRICES = "https://prices.example.com"


def lookup_price(item_id: int) -> float:
    response = requests.get(f"{PRICES}/{item_id}", timeout=5)
    response.raise_for_status()
    return float(response.json()["price"])
