"""Users, roles per municipality, registration, login, profile, PIN HMAC."""
