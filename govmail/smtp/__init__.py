"""The SMTP doors: MX on port 25, submission on 587 (STARTTLS) and 465 (TLS), over aiosmtpd."""
