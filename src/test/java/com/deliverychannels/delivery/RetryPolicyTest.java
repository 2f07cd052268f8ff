package com.deliverychannels.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.config.RetryConfig;

/** Back-off of CONTRACT §3 {@code retry}: doubling from the base, jittered, capped, bounded in count and age. */
class RetryPolicyTest {
    private static final Instant CREATED = Instant.parse("2026-11-20T09:00:00Z");
    /** The contract's defaults: PT1M, PT1H, 6 attempts, P1D. */
    private static final RetryPolicy DEFAULTS = policy(Duration.ofMinutes(1), Duration.ofHours(1), 6, Duration.ofDays(1));

    @ParameterizedTest(name = "after {0} failed attempt(s): up to {1}")
    @CsvSource({"1, PT1M", "2, PT2M", "3, PT4M", "4, PT8M", "5, PT16M", "6, PT32M", "7, PT1H", "8, PT1H", "40, PT1H",
            "2147483647, PT1H"})
    void theCeilingDoublesFromTheBaseAndStopsAtTheMaximum(int attempts, Duration ceiling) {
        assertEquals(ceiling, DEFAULTS.ceiling(attempts));
    }

    @ParameterizedTest(name = "after {0} failed attempt(s)")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void theDelayIsAtLeastOneSecondAndAtMostTheCeiling(int attempts) {
        Instant now = CREATED.plusSeconds(30);
        Duration ceiling = DEFAULTS.ceiling(attempts);
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            Instant next = DEFAULTS.nextAttempt(attempts, CREATED, now);
            assertNotNull(next);
            Duration delay = Duration.between(now, next);
            assertTrue(delay.compareTo(Duration.ofSeconds(1)) >= 0, "delay " + delay + " under a second");
            assertTrue(delay.compareTo(ceiling) <= 0, "delay " + delay + " over " + ceiling);
            delays.add(delay.toMillis());
        }
        assertTrue(delays.size() > 100, "jittered: failures at the same moment do not all come back together");
    }

    @ParameterizedTest(name = "after {0} attempts")
    @ValueSource(ints = {6, 7, 100})
    void noAttemptAfterTheMaximumCount(int attempts) {
        assertNull(DEFAULTS.nextAttempt(attempts, CREATED, CREATED.plusSeconds(60)));
    }

    @Test
    void anAttemptRemainsBeforeTheMaximumCount() {
        assertNotNull(DEFAULTS.nextAttempt(5, CREATED, CREATED.plusSeconds(60)));
    }

    @ParameterizedTest(name = "{0} after creation")
    @ValueSource(strings = {"P1D", "PT24H0.001S", "P2D"})
    void noAttemptOnceTheDeliveryIsTooOld(Duration age) {
        assertNull(DEFAULTS.nextAttempt(1, CREATED, CREATED.plus(age)));
    }

    @Test
    void aNextAttemptIsNeverScheduledBeyondTheMaximumAge() {
        Instant deadline = CREATED.plus(Duration.ofDays(1));
        // Ten seconds before the deadline, with a ceiling of an hour: most delays would overshoot it.
        Instant now = deadline.minusSeconds(10);
        int scheduled = 0;
        for (int i = 0; i < 2_000; i++) {
            Instant next = DEFAULTS.nextAttempt(5, CREATED, now);
            if (next != null) {
                scheduled++;
                assertFalse(next.isAfter(deadline), next + " is after " + deadline);
            }
        }
        assertTrue(scheduled < 2_000, "delays beyond the deadline are not scheduled");
    }

    @Test
    void aMaximumBelowTheBaseCapsEveryDelay() {
        RetryPolicy policy = policy(Duration.ofMinutes(10), Duration.ofMinutes(5), 6, Duration.ofDays(1));

        assertEquals(Duration.ofMinutes(5), policy.ceiling(1));
        for (int i = 0; i < 500; i++) {
            Instant next = policy.nextAttempt(1, CREATED, CREATED);
            assertFalse(next.isAfter(CREATED.plus(Duration.ofMinutes(5))), next.toString());
        }
    }

    @Test
    void aSingleAttemptAllowedMeansNoRetry() {
        RetryPolicy policy = policy(Duration.ofMinutes(1), Duration.ofHours(1), 1, Duration.ofDays(1));

        assertNull(policy.nextAttempt(1, CREATED, CREATED));
    }

    private static RetryPolicy policy(Duration base, Duration max, int attempts, Duration age) {
        return new RetryPolicy(new RetryConfig() {
            @Override
            public Duration baseDelay() {
                return base;
            }

            @Override
            public Duration maxDelay() {
                return max;
            }

            @Override
            public int maxAttempts() {
                return attempts;
            }

            @Override
            public Duration maxAge() {
                return age;
            }

            @Override
            public Duration sweepTimeBudget() {
                return Duration.ofMinutes(4);
            }

            @Override
            public int sweepConcurrency() {
                return 8;
            }
        });
    }
}
