package com.deliverychannels.secrets;

import java.time.Clock;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.deliverychannels.aws.FailedCallLog;
import com.deliverychannels.config.CredentialsConfig;
import com.deliverychannels.config.GmailConfig;

import io.quarkus.runtime.StartupEvent;

/**
 * The secrets the functions use, each from its plain variable (local runs, tests) or from Secrets Manager by
 * ARN (AWS; CONTRACT §4): {@code CREDENTIALS_KEYS} / {@code CREDENTIALS_KEYS_SECRET_ARN} and
 * {@code GMAIL_CLIENT_SECRET} / {@code GMAIL_CLIENT_SECRET_SECRET_ARN}. Those with an ARN are read when the
 * function starts (Lambda's init), so a secret the role may not read fails the init, loudly, instead of the
 * first user's request.
 */
@ApplicationScoped
public class Secrets {
    private final SecretsManagerSource source;
    private final RuntimeSecret credentialsKeys;
    private final RuntimeSecret gmailClientSecret;

    public Secrets(CredentialsConfig credentials, GmailConfig gmail, FailedCallLog failedCalls, Clock clock) {
        this.source = new SecretsManagerSource(failedCalls);
        this.credentialsKeys = RuntimeSecret.of("CREDENTIALS_KEYS", credentials.keys(), credentials.keysSecretArn(),
                source, clock);
        this.gmailClientSecret = RuntimeSecret.of("GMAIL_CLIENT_SECRET", java.util.Optional.of(gmail.clientSecret()),
                gmail.clientSecretSecretArn(), source, clock);
    }

    void readAtStartup(@Observes StartupEvent started) {
        credentialsKeys.load();
        gmailClientSecret.load();
    }

    /** The key ring sealing stored secrets. */
    public RuntimeSecret credentialsKeys() {
        return credentialsKeys;
    }

    /** Google's OAuth2 client secret. */
    public RuntimeSecret gmailClientSecret() {
        return gmailClientSecret;
    }

    @PreDestroy
    void close() {
        source.close();
    }
}
