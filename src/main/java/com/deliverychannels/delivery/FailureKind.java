package com.deliverychannels.delivery;

/**
 * Why an attempt failed, and whether trying again later can help (CONTRACT §3 {@code retry}). The one
 * place that decides what is retryable: transports report a kind, never a verdict of their own.
 */
public enum FailureKind {
    /** The server could not be reached: refused, reset, DNS. */
    CONNECTION(true),
    /** The server or the token endpoint did not answer in time. */
    TIMEOUT(true),
    /** An SMTP 4xx reply (421, 450, 451, 452, 454…): the server asks us to come back later. */
    SMTP_TRANSIENT(true),
    /** Google's token endpoint answered 5xx or could not be reached. */
    TOKEN_ENDPOINT_UNAVAILABLE(true),
    /** Our own table throttled or could not be reached. */
    STORE_UNAVAILABLE(true),
    /** An SMTP 5xx reply to the message. */
    SMTP_PERMANENT(false),
    /** The server refused one or more recipients with a 5xx reply. */
    RECIPIENT_REFUSED(false),
    /** The server refused the credentials: the user must fix them (SMTP status AUTH_FAILED). */
    AUTH_FAILED(false),
    /** Google answered {@code invalid_grant}: the user must connect Gmail again (RECONNECT_REQUIRED). */
    GRANT_REVOKED(false),
    /** The channel cannot be used as configured (no settings, a refused host, unreadable credentials). */
    CHANNEL_UNUSABLE(false);

    private final boolean retryable;

    FailureKind(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether a later attempt may succeed without anyone changing anything. */
    public boolean retryable() {
        return retryable;
    }
}
