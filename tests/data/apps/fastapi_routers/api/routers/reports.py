import hashlib

from fastapi import APIRouter

router = APIRouter(prefix="/reports")


@router.get("/digest")
async def digest(rounds: int = 1000) -> dict[str, str]:
    value = b"seed"
    for i in range(rounds):
        value = hashlib.sha256(value + str(i).encode()).digest()
    return {"digest": value.hex()}
