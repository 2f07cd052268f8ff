package com.deliverychannels.bounce;

/** Why a delivery to one recipient failed. */
public enum FailureReason {
    /** SES reported a bounce. */
    BOUNCE,
    /** The recipient marked the message as spam. */
    COMPLAINT,
    /** SES refused the message before sending it (for example a virus). */
    REJECTED,
    /** The SMTP transaction failed for good, or retries ran out. */
    SEND_FAILED
}
