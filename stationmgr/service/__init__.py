"""The site service: the site API (`/api/v1/`) served on the engine's own asyncio loop.

Stack: aiohttp — one asyncio library for the HTTP server, the WebSocket and the remote
client, so the server runs as tasks on the loop the engine already has (no second event
loop, no extra thread, no ASGI adapter). Handlers never block that loop: every database
call runs in the service's thread pool, through the same `LocalClient` calls the CLI makes.

Modules: `tokens` (bearer tokens), `tls` (the site certificate), `app` (routes, errors,
limits), `handlers` (one per endpoint), `events` (the live WebSocket), `changes` (tell the
engine about configuration changes), `server` (start/stop on the engine's loop).
"""
