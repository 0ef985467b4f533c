from fastapi import FastAPI

from api.routers import items, reports

api = FastAPI(title="orders")
api.include_router(items.router, prefix="/items")
api.include_router(reports.router)


@api.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}
