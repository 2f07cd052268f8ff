package com.deliverychannels.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The request is well formed but the current state does not allow it. When the state is passing (another
 * request with the same {@code Idempotency-Key} is still running), it says how soon asking again may help.
 */
public final class ConflictException extends DomainException {
    private final Duration retryAfter;

    public ConflictException(String messageKey, Object... args) {
        this((Duration) null, messageKey, args);
    }

    private ConflictException(Duration retryAfter, String messageKey, Object... args) {
        super(messageKey, List.of(args), null);
        this.retryAfter = retryAfter;
    }

    /** A conflict that ends by itself: the same request may pass after {@code after}. */
    public static ConflictException retryLater(Duration after, String messageKey, Object... args) {
        return new ConflictException(after, messageKey, args);
    }

    /** How soon the same request may pass; empty when the caller must change something first. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
