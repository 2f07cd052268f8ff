package com.deliverychannels.bounce;

import java.time.Duration;

/**
 * Which SNS messages were processed. SNS delivers at least once and two deliveries of one message can
 * race: a message is claimed with a conditional write before it is processed and marked done after; a
 * claim whose holder died is taken over once its lease ends.
 */
public interface SnsMessageLedger {

    /** Outcomes of a claim. */
    enum Claim {
        /** This caller now holds the message: process it, then call {@link #done}. */
        CLAIMED,
        /** Processed before: acknowledge and do nothing. */
        DONE,
        /** Another caller holds it right now: acknowledge; if that caller dies, SNS's retry finds the lease over. */
        IN_PROGRESS
    }

    /** Claims {@code messageId} for {@code lease}. */
    Claim claim(String messageId, Duration lease);

    /** Marks a claimed message processed (kept for a week, longer than SNS retries). */
    void done(String messageId);

    /** Gives a claim back after processing failed, so the redelivery processes it. */
    void release(String messageId);
}
