"""The small core every feature stands on: settings, database, backends, auth and the consent gate."""
