package com.deliverychannels.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where SNS certificates and subscription links may come from ({@code SNS_CERT_URL_PATTERN}). */
@ConfigMapping(prefix = "sns")
public interface SnsConfig {
    /** A regular expression every {@code SigningCertURL} and {@code SubscribeURL} must match. */
    @WithDefault("^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.*")
    String certUrlPattern();
}
