package com.deliverychannels.secrets;

import java.time.Clock;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.deliverychannels.aws.FailedCallLog;
import com.deliverychannels.config.CredentialsConfig;
import com.deliverychannels.config.GmailConfig;
import com.deliverychannels.config.MscConfig;

import io.quarkus.runtime.StartupEvent;

/**
 * The secrets the functions use, each from its plain variable (local runs, tests) or from Secrets Manager by
 * ARN (AWS; CONTRACT §4): {@code CREDENTIALS_KEYS} / {@code CREDENTIALS_KEYS_SECRET_ARN} and
 * {@code GMAIL_CLIENT_SECRET} / {@code GMAIL_CLIENT_SECRET_SECRET_ARN}, and our relay's SMTP credentials
 * ({@code quarkus.mailer.username}/{@code password} / {@code MSC_SMTP_CREDENTIALS_SECRET_ARN}). Those with an ARN are read when the
 * function starts (Lambda's init), so a secret the role may not read fails the init, loudly, instead of the
 * first user's request.
 */
@ApplicationScoped
public class Secrets {
    private final SecretsManagerSource source;
    private final RuntimeSecret credentialsKeys;
    private final RuntimeSecret gmailClientSecret;
    private final RuntimeSecret mscSmtpCredentials;

    public Secrets(CredentialsConfig credentials, GmailConfig gmail, MscConfig msc, FailedCallLog failedCalls,
            Clock clock) {
        this.source = new SecretsManagerSource(failedCalls);
        this.credentialsKeys = RuntimeSecret.of("CREDENTIALS_KEYS", credentials.keys(), credentials.keysSecretArn(),
                source, clock);
        this.gmailClientSecret = RuntimeSecret.of("GMAIL_CLIENT_SECRET", Optional.of(gmail.clientSecret()),
                gmail.clientSecretSecretArn(), source, clock);
        this.mscSmtpCredentials = RuntimeSecret.of("MSC_SMTP_CREDENTIALS", Optional.empty(),
                msc.smtpCredentialsSecretArn(), source, clock);
    }

    void readAtStartup(@Observes StartupEvent started) {
        credentialsKeys.load();
        gmailClientSecret.load();
        mscSmtpCredentials.load();
    }

    /** The key ring sealing stored secrets. */
    public RuntimeSecret credentialsKeys() {
        return credentialsKeys;
    }

    /** Google's OAuth2 client secret. */
    public RuntimeSecret gmailClientSecret() {
        return gmailClientSecret;
    }

    /**
     * Our relay's SMTP credentials, {@code {"username", "password"}}, when they come from Secrets Manager; not
     * {@link RuntimeSecret#configured() configured} otherwise ({@code quarkus.mailer.username}/{@code password}).
     */
    public RuntimeSecret mscSmtpCredentials() {
        return mscSmtpCredentials;
    }

    @PreDestroy
    void close() {
        source.close();
    }
}
