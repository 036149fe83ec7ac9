"""Live circles under load: simulated participants over real WebSocket connections on loopback."""
