package com.deliverychannels.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Back-off of deliveries that failed for a reason that may pass ({@code RETRY_*}). */
@ConfigMapping(prefix = "retry")
public interface RetryConfig {
    /** The first delay; each further attempt doubles it, with jitter. */
    @WithDefault("PT1M")
    Duration baseDelay();

    /** The longest delay between two attempts. */
    @WithDefault("PT1H")
    Duration maxDelay();

    /** Attempts in all, the first send included, before a delivery is FAILED. */
    @WithDefault("6")
    int maxAttempts();

    /** Age after which a delivery is FAILED whatever its attempt count. */
    @WithDefault("P1D")
    Duration maxAge();

    /**
     * How long one sweep may claim deliveries ({@code RETRY_SWEEP_TIME_BUDGET}): keep it a minute under the
     * retry Lambda's time-out. Funqy does not hand the Lambda context (and its remaining time) to functions,
     * so the sweep keeps its own clock.
     */
    @WithDefault("PT4M")
    Duration sweepTimeBudget();

    /** Deliveries one sweep sends at the same time ({@code RETRY_SWEEP_CONCURRENCY}). */
    @WithDefault("8")
    int sweepConcurrency();
}
