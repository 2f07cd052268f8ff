package com.deliverychannels.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Rules for users' own SMTP servers ({@code SMTP_*}). */
@ConfigMapping(prefix = "smtp")
public interface SmtpPolicyConfig {
    /**
     * Lets custom SMTP point at loopback, private, link-local or metadata addresses
     * ({@code SMTP_ALLOW_PRIVATE_HOSTS}). Only for local runs and tests: in AWS it would let a user reach
     * our own network from the function.
     */
    @WithDefault("false")
    boolean allowPrivateHosts();

    /** Time-out for connecting and for each reply of an SMTP conversation ({@code SMTP_CONNECT_TIMEOUT}). */
    @WithDefault("PT10S")
    Duration connectTimeout();
}
