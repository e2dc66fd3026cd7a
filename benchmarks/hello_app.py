"""The framework's hello app: the baseline `app_bench.py` measures the streaming app against.

A minimal FastAPI app with one sync and one async route, served exactly as ``python -m
apps.streaming`` serves the streaming app (uvicorn, one worker, the same options), so the ratio
of the two is what the app's own code costs.

    python benchmarks/hello_app.py --port P
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI

app = FastAPI(docs_url=None, redoc_url=None)


@app.get("/sync")
def hello_sync() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/async")
async def hello_async() -> dict[str, str]:
    return {"status": "ok"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # the options of apps/streaming/__main__.py
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=20,
        timeout_keep_alive=65,
    )


if __name__ == "__main__":
    main()
