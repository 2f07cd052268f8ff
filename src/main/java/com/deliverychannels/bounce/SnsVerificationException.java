package com.deliverychannels.bounce;

/**
 * An SNS message that cannot be trusted, and why. The message text names the rule that failed and at most
 * the offending field's name or a host; it never carries the message body, a subscription token or a
 * signature, since callers log it.
 */
public final class SnsVerificationException extends RuntimeException {

    /** Why a message was refused; the webhook answers 400 for {@code MALFORMED}, 503 for {@code CERT_UNAVAILABLE}. */
    public enum Reason {
        /** Not an SNS envelope: not JSON, a field missing or of the wrong type, too large. */
        MALFORMED,
        /** {@code SigningCertURL} or {@code SubscribeURL} is not https on an accepted SNS host. */
        BAD_CERT_URL,
        /** The signing certificate could not be fetched (network, time-out, status); may pass on a retry. */
        CERT_UNAVAILABLE,
        /** The signing certificate is unreadable, expired, not yet valid or not issued to SNS. */
        CERT_INVALID,
        /** The signature does not match the message. */
        BAD_SIGNATURE,
        /** The {@code Timestamp} is too old to be a message SNS is delivering now (a replay). */
        STALE,
        /** The {@code Timestamp} lies further ahead than any clock skew explains. */
        FUTURE,
        /** A {@code SignatureVersion} other than 1 or 2. */
        UNSUPPORTED_VERSION
    }

    private final Reason reason;

    public SnsVerificationException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    /** {@code cause} is kept for the stack trace; pass none whose own message could quote the body. */
    public SnsVerificationException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** The rule that failed. */
    public Reason reason() {
        return reason;
    }
}
