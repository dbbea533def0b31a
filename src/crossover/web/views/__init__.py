"""The portal's blueprints: sign-in, the consultant's desk and the client's private pages."""
