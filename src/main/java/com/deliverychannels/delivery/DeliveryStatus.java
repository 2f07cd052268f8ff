package com.deliverychannels.delivery;

/** Where a delivery stands, as the user sees it (CONTRACT §3). */
public enum DeliveryStatus {
    /** The server accepted the message. */
    SENT,
    /**
     * Waiting for an attempt: the next one is at {@code nextAttemptAt}. A delivery is written in this state
     * before its first attempt, so a process that dies mid-send leaves it for the retry sweep.
     */
    RETRY_SCHEDULED,
    /** No attempt will be made any more. */
    FAILED,
    /** SES reported a bounce (MSC only). */
    BOUNCED,
    /** A recipient complained (MSC only). */
    COMPLAINED,
    /** SES reported delivery to the recipient's server (MSC only). */
    DELIVERED
}
