package com.deliverychannels.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Our own mail servers, the MSC channel ({@code MSC_*}); the relay itself is {@code quarkus.mailer.*}. */
@ConfigMapping(prefix = "msc")
public interface MscConfig {
    /** Our domain: envelope sender, {@code Message-ID} domain and the "via" tag recipients see. */
    @WithDefault("mail.delivery-channels.local")
    String senderDomain();

    /** The SES configuration set named in {@code X-SES-CONFIGURATION-SET}; absent, no header is sent. */
    Optional<String> configurationSet();

    /**
     * {@code MSC_SMTP_CREDENTIALS_SECRET_ARN}: in AWS, the Secrets Manager secret holding the relay's SMTP
     * credentials as {@code {"username": ..., "password": ...}}, read at start-up and again when the relay
     * refuses them. Absent: {@code quarkus.mailer.username}/{@code password} (local runs, tests).
     */
    Optional<String> smtpCredentialsSecretArn();
}
