package com.deliverychannels.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers that a user's {@code Idempotency-Key} was used, for which request (a hash of it) and which
 * delivery, until {@code expiresAt}; and how the request that used it first ended. While that request is in
 * flight the marker holds no answer; once it answered, the marker holds the delivery exactly as that answer
 * showed it, so a repeat gets the first answer itself (IETF httpapi Idempotency-Key draft), not the
 * delivery as it stands later.
 *
 * @param inFlightUntil when the first request is known to have ended even if it recorded no answer (it died,
 *                      or its last write failed); null once answered
 * @param answer        the delivery as the first request answered it; null while in flight
 */
public record IdempotencyMarker(String userId, String key, String requestHash, String deliveryId, Instant expiresAt,
        Instant inFlightUntil, Delivery answer) {

    /** The marker a new request writes with its delivery: in flight until {@code inFlightFor} has passed. */
    public static IdempotencyMarker inFlight(String userId, String key, String requestHash, String deliveryId,
            Instant now, Duration lifetime, Duration inFlightFor) {
        return new IdempotencyMarker(userId, key, requestHash, deliveryId, now.plus(lifetime), now.plus(inFlightFor),
                null);
    }

    /** The marker once the first request answered {@code delivery}. */
    public IdempotencyMarker answered(Delivery delivery) {
        return new IdempotencyMarker(userId, key, requestHash, deliveryId, expiresAt, null, delivery);
    }

    /** The first request's answer, once it gave one. */
    public Optional<Delivery> firstAnswer() {
        return Optional.ofNullable(answer);
    }

    /** Whether the first request may still be running at {@code now}: no answer yet, and not past its time. */
    public boolean inFlightAt(Instant now) {
        return answer == null && inFlightUntil != null && now.isBefore(inFlightUntil);
    }

    @Override
    public String toString() {
        return "IdempotencyMarker[user " + userId + ", delivery " + deliveryId
                + (answer != null ? ", answered" : ", in flight until " + inFlightUntil) + "]";
    }
}
