package com.deliverychannels.channel;

/** The state of a user's Gmail connection. */
public enum GmailStatus {
    /** The refresh token works. */
    CONNECTED,
    /** Google answered {@code invalid_grant}: the user must connect again. */
    RECONNECT_REQUIRED
}
