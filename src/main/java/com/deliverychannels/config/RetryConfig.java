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
}
