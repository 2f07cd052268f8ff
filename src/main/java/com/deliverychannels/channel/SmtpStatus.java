package com.deliverychannels.channel;

/** What we last learnt of a user's SMTP settings. */
public enum SmtpStatus {
    /** The last verification or send authenticated. */
    OK,
    /** The server refused the credentials: sends fail until the user fixes them. */
    AUTH_FAILED,
    /** Saved but never verified. */
    UNVERIFIED
}
