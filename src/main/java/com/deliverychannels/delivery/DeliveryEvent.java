package com.deliverychannels.delivery;

import java.time.Instant;

/**
 * One entry of a delivery's timeline.
 *
 * @param type   ACCEPTED, SENT, RETRY_SCHEDULED, FAILED, BOUNCED, COMPLAINED, DELIVERED…
 * @param detail what happened, in the remote server's words where it said anything; may be null
 */
public record DeliveryEvent(String type, Instant at, String detail) {
}
