package com.deliverychannels.bounce;

/** Whether a failed delivery will be tried again. */
public enum RetryState {
    /** Another attempt is scheduled at {@code nextAttemptAt}. */
    SCHEDULED,
    /** Every attempt allowed was made. */
    EXHAUSTED,
    /** The failure cannot pass by itself (a bounce, a complaint, a refused recipient); the user may retry by hand. */
    NOT_RETRYABLE
}
