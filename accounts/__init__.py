"""Accounts: password reset, e-mail change, deletion by the user, and invitations to circles."""
