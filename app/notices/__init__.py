"""Citizen notices: the SMS and e-mail texts the notification gateway forwards to applicants."""
