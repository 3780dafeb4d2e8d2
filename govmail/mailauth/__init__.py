"""Mail authentication: DKIM keys and signatures, SPF, DMARC, ARC, Authentication-Results."""
