package com.deliverychannels.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import com.deliverychannels.config.RetryConfig;

/**
 * When to try a failed delivery again: the delay doubles from {@code RETRY_BASE_DELAY} with full jitter
 * (a random delay up to the doubled value, so many failures at once do not come back at once), capped at
 * {@code RETRY_MAX_DELAY}; no attempt after {@code RETRY_MAX_ATTEMPTS} attempts or {@code RETRY_MAX_AGE}.
 */
public final class RetryPolicy {
    private static final Duration MIN_DELAY = Duration.ofSeconds(1);

    private final RetryConfig config;

    public RetryPolicy(RetryConfig config) {
        this.config = config;
    }

    /** The next attempt after {@code attempts} failed ones, or null when none may be made. */
    public Instant nextAttempt(int attempts, Instant createdAt, Instant now) {
        if (attempts >= config.maxAttempts() || !now.isBefore(createdAt.plus(config.maxAge()))) {
            return null;
        }
        long ceiling = ceiling(attempts).toMillis();
        long delay = Math.max(MIN_DELAY.toMillis(), ThreadLocalRandom.current().nextLong(ceiling + 1));
        Instant next = now.plusMillis(delay);
        return next.isAfter(createdAt.plus(config.maxAge())) ? null : next;
    }

    /** The upper bound of the delay after {@code attempts} failures: base × 2^(attempts-1), capped. */
    Duration ceiling(int attempts) {
        Duration base = config.baseDelay();
        int doublings = Math.max(0, Math.min(attempts - 1, 30));
        Duration doubled = base.multipliedBy(1L << doublings);
        return doubled.compareTo(config.maxDelay()) > 0 || doubled.isNegative() ? config.maxDelay() : doubled;
    }
}
