import requests


def audit(day: str) -> None:
    requests.post(
        "https://audit.example.invalid/reports", json={"day": day}, timeout=5
    )
