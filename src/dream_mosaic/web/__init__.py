"""The web application: assembles every feature's API and pages onto one ASGI app."""
