"""Clients of the site: `SiteClient` (api), `LocalClient` (in-process), `RemoteClient`
(a site service over HTTP + WebSocket), and the wire models they share with the server."""
