package com.deliverychannels.channel;

/** How the connection to an SMTP server is protected; plain text is never offered. */
public enum SmtpSecurity {
    /** Plain connect, then STARTTLS before anything else (RFC 3207), usually port 587. */
    STARTTLS,
    /** TLS from the first byte (RFC 8314), usually port 465. */
    TLS
}
