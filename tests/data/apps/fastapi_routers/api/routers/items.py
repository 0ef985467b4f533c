import httpx
from fastapi import APIRouter

from api.clients import lookup_price

router = APIRouter(tags=["items"])
INVENTORY = "https://inventory.example.com/items"


@router.get("/{item_id}")
async def read_item(item_id: int) -> dict[str, float]:
    price = lookup_price(item_id)
    return {"id": item_id, "price": price}


@router.post("/")
async def create_item(item: dict[str, str]) -> dict[str, str]:
    async with httpx.AsyncClient() as client:
        response = await client.post(INVENTORY, json=item)
    return response.json()


@router.get("/")
def list_items() -> list[dict[str, str]]:
    import requests as http

    return http.get(INVENTORY, timeout=5).json()
