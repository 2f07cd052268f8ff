package com.deliverychannels.channel;

/** Google's token endpoint said no, or said nothing. The message never carries a token or a code. */
public class GmailTokenException extends RuntimeException {

    /** What kind of no. */
    public enum Kind {
        /** {@code invalid_grant}: the code or refresh token is expired, used or revoked. */
        INVALID_GRANT,
        /** 5xx, a time-out or no connection: trying again later may work. */
        UNAVAILABLE,
        /** Any other refusal (for example {@code invalid_client}): our configuration is at fault. */
        REFUSED
    }

    private final Kind kind;

    public GmailTokenException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
