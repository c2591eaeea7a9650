"""Admin of the verification app: nothing is registered on purpose. A verification's
allegation, findings and persons are read through selectors that scope and audit every read,
and change only through the services that enforce the team and sign-off rules; the admin site
would do neither."""
