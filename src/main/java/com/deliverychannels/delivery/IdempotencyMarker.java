package com.deliverychannels.delivery;

import java.time.Instant;

/**
 * Remembers that a user's {@code Idempotency-Key} was used, for which request (a hash of it) and which
 * delivery, until {@code expiresAt}.
 */
public record IdempotencyMarker(String userId, String key, String requestHash, String deliveryId, Instant expiresAt) {
}
