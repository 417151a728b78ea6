"""
The seed's reference webhook for bench/http-ack.ts: the FastAPI handler of the Crisp AI
recipe (webhook.py, "FastAPI app — /crisp/hooks webhook and health route"), copied as it
is except that the background task does nothing (no LLM call, no Crisp reply) and the
secret comes from the environment. Same checks, same parse, same answer.

Run (from bench/): python3 -m uvicorn seed_webhook:app --no-access-log --port 3000
"""
import asyncio
import os

from fastapi import FastAPI, HTTPException, Query, Request

WEBHOOK_SECRET = os.environ.get("CRISP_WEBHOOK_SECRET", "your-webhook-secret")


async def handle_message(session_id: str, user_message: str):
    # The recipe calls the LLM here, then sends the answer back to Crisp; the bench measures the acknowledgement only.
    return None


app = FastAPI()


@app.post("/crisp/hooks")
async def webhook(request: Request, key: str = Query(...)):
    if key != WEBHOOK_SECRET:
        raise HTTPException(status_code=401, detail="Unauthorized")
    body = await request.json()
    event = body.get("event")
    data = body.get("data", {})
    if (
        event == "message:send"
        and data.get("from") == "user"
        and data.get("type") == "text"
    ):
        session_id = data["session_id"]
        user_message = data["content"]
        asyncio.create_task(handle_message(session_id, user_message))
    return {"status": "ok"}


@app.get("/")
async def health():
    return {"status": "running"}
