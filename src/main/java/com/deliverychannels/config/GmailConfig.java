package com.deliverychannels.config;

import java.util.Optional;

import com.deliverychannels.channel.SmtpSecurity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Google's OAuth2 client and Gmail's SMTP server, the GMAIL channel ({@code GMAIL_*}). */
@ConfigMapping(prefix = "gmail")
public interface GmailConfig {
    /** Google's token endpoint: authorization-code exchange and refresh grants. */
    @WithDefault("https://oauth2.googleapis.com/token")
    String tokenUrl();

    /** The OAuth2 client id of our Google Cloud project. */
    @WithDefault("local-client-id")
    String clientId();

    /** The OAuth2 client secret; never logged. */
    @WithDefault("local-client-secret")
    String clientSecret();

    /**
     * {@code GMAIL_CLIENT_SECRET_SECRET_ARN}: in AWS, the Secrets Manager secret whose string is the client
     * secret, read at start-up and again when Google answers {@code invalid_client}. When set it wins over
     * {@link #clientSecret()}.
     */
    Optional<String> clientSecretSecretArn();

    /** Gmail's SMTP host. */
    @WithDefault("smtp.gmail.com")
    String smtpHost();

    /** Gmail's SMTP port. */
    @WithDefault("587")
    int smtpPort();

    /** {@code STARTTLS} or {@code TLS} (implicit, port 465). */
    @WithDefault("STARTTLS")
    SmtpSecurity smtpSecurity();
}
