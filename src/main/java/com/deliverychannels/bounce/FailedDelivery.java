package com.deliverychannels.bounce;

import java.time.Instant;

import com.deliverychannels.channel.ChannelType;

/**
 * A delivery that did not reach one recipient, as the failed-delivery list shows it.
 *
 * @param id            time-ordered, so the list sorts newest first by key alone
 * @param bounceType    SES's bounce type ({@code Permanent}, {@code Transient}, {@code Undetermined}); null otherwise
 * @param bounceSubType SES's bounce sub-type; null otherwise
 * @param diagnostic    the remote server's reply, as reported; null when there was none
 */
public record FailedDelivery(String id, String deliveryId, String recipient, String subject, ChannelType channel,
        FailureReason reason, String bounceType, String bounceSubType, String diagnostic, Instant occurredAt,
        Retry retry) {

    /**
     * The retry state of the delivery when the failure was recorded.
     *
     * @param nextAttemptAt null unless {@code state} is SCHEDULED
     */
    public record Retry(RetryState state, int attempts, Instant nextAttemptAt) {
    }
}
