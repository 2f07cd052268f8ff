package com.deliverychannels.mail;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.deliverychannels.config.SmtpPolicyConfig;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.delivery.FailureKind;
import com.deliverychannels.delivery.OutgoingMessage;
import com.deliverychannels.delivery.SendOutcome;
import com.deliverychannels.secrets.RuntimeSecret;
import com.deliverychannels.secrets.Secrets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailResult;
import io.vertx.ext.mail.StartTLSOptions;

/**
 * Our own relay (the SES SMTP interface in AWS), at the standard {@code quarkus.mailer.*} host and port. Its
 * credentials are {@code quarkus.mailer.username}/{@code password} in local runs and tests (the mail client
 * Quarkus builds from them is used as it is); in AWS they are the Secrets Manager secret
 * {@code MSC_SMTP_CREDENTIALS_SECRET_ARN} ({@code {"username": ..., "password": ...}}, how SES SMTP credentials
 * are usually kept), read at start-up, never in the function's environment: then this class builds the relay's
 * client itself, and builds it again with the secret read anew when the relay refuses the credentials (they
 * were rotated). With {@code quarkus.mailer.mock=true} nothing is sent: the message is logged (without its
 * body) and reported sent, as Quarkus's own mock mailer does.
 */
@ApplicationScoped
public class MscTransport {
    private static final Logger LOG = Logger.getLogger(MscTransport.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MailClient configuredRelay;
    private final Vertx vertx;
    private final Context context;
    private final boolean mock;
    private final long timeoutMillis;
    private final RelaySettings settings;
    private final RuntimeSecret credentials;
    private volatile OwnRelay ownRelay;

    /** The relay client built from the secret, with the password it logs in with (kept out of failure texts). */
    private record OwnRelay(MailClient client, String password) {
    }

    /** Where the relay is, from the standard mailer keys. */
    record RelaySettings(String host, int port, String startTls, Optional<String> ownHostName, Duration keepAlive) {
    }

    public MscTransport(MailClient relay, Vertx vertx,
            @ConfigProperty(name = "quarkus.mailer.mock") Optional<Boolean> mock, SmtpPolicyConfig policy,
            @ConfigProperty(name = "quarkus.mailer.host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "quarkus.mailer.port", defaultValue = "587") int port,
            @ConfigProperty(name = "quarkus.mailer.start-tls", defaultValue = "OPTIONAL") String startTls,
            @ConfigProperty(name = "quarkus.mailer.own-host-name") Optional<String> ownHostName,
            @ConfigProperty(name = "quarkus.mailer.keep-alive-timeout", defaultValue = "5S") Duration keepAlive,
            Secrets secrets) {
        this.configuredRelay = relay;
        this.vertx = vertx;
        // The relay client pools its connections; used from a fresh Vert.x context on every new thread (the
        // retry sweep's workers) a send could stall without writing a command until the server timed out.
        // All sends go through one context.
        this.context = vertx.getOrCreateContext();
        this.mock = mock.orElse(false);
        this.timeoutMillis = policy.connectTimeout().multipliedBy(3).toMillis();
        this.settings = new RelaySettings(host, port, startTls, ownHostName, keepAlive);
        this.credentials = secrets.mscSmtpCredentials();
    }

    SendOutcome send(OutgoingMessage message) {
        if (mock) {
            LOG.infof("mock mailer: delivery %s to %d recipients not sent", message.deliveryId(),
                    message.recipients().size());
            return new SendOutcome.Sent("<mock-" + message.deliveryId() + ">", null);
        }
        if (!credentials.configured()) {
            return send(configuredRelay, message, null);
        }
        OwnRelay relay = ownRelay(false);
        SendOutcome outcome = send(relay.client(), message, relay.password());
        if (outcome instanceof SendOutcome.Failed failed && failed.kind() == FailureKind.AUTH_FAILED
                && credentials.reload()) {
            // The relay no longer takes the credentials we hold, and the secret holds others: rotated.
            relay = ownRelay(true);
            outcome = send(relay.client(), message, relay.password());
        }
        return outcome;
    }

    private SendOutcome send(MailClient relay, OutgoingMessage message, String password) {
        try {
            CompletableFuture<MailResult> sending = new CompletableFuture<>();
            context.runOnContext(ignored -> relay.sendMail(MailMessages.of(message)).onComplete(done -> {
                if (done.succeeded()) {
                    sending.complete(done.result());
                } else {
                    sending.completeExceptionally(done.cause());
                }
            }));
            MailResult result = sending.get(timeoutMillis, TimeUnit.MILLISECONDS);
            // Vert.x does not expose the relay's "250 Ok <SES message id>" reply: bounces are matched by the
            // X-Delivery-Id header and the deliveryId message tag instead.
            return new SendOutcome.Sent(result.getMessageID(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SmtpFailures.classify(e, hidden(password));
        } catch (Exception e) {
            return SmtpFailures.classify(e, hidden(password));
        }
    }

    /** What a failure's text must not show: the password this send used, if we hold it. */
    private static String[] hidden(String password) {
        return password == null ? new String[0] : new String[] {password};
    }

    /** The relay client built from the secret's credentials, built again after they changed. */
    private synchronized OwnRelay ownRelay(boolean rebuild) {
        if (ownRelay == null || rebuild) {
            if (ownRelay != null) {
                ownRelay.client().close();
            }
            Credentials current = credentials();
            MailConfig config = new MailConfig()
                    .setHostname(settings.host())
                    .setPort(settings.port())
                    .setStarttls(StartTLSOptions.valueOf(settings.startTls().toUpperCase(java.util.Locale.ROOT)))
                    .setLogin(LoginOption.REQUIRED)
                    .setUsername(current.username())
                    .setPassword(current.password())
                    .setKeepAlive(true)
                    .setKeepAliveTimeout((int) settings.keepAlive().toSeconds())
                    .setKeepAliveTimeoutUnit(TimeUnit.SECONDS);
            settings.ownHostName().ifPresent(config::setOwnHostname);
            // The relay's certificate must name the relay (RFC 6125), as for a user's server.
            config.setHostnameVerificationAlgorithm("HTTPS");
            ownRelay = new OwnRelay(MailClient.create(vertx, config), current.password());
        }
        return ownRelay;
    }

    private record Credentials(String username, String password) {
    }

    /** The secret's {@code {"username", "password"}}; a secret of another shape is the deployment's fault. */
    private Credentials credentials() {
        String value = credentials.value().orElseThrow();
        try {
            JsonNode secret = JSON.readTree(value);
            if (secret.path("username").isTextual() && secret.path("password").isTextual()) {
                return new Credentials(secret.get("username").asText(), secret.get("password").asText());
            }
        } catch (IOException notJson) {
            // the same answer as a JSON object without the two fields, and without the value in any message
        }
        throw new MisconfiguredException("secretsmanager", "MalformedSecret",
                new IllegalStateException(credentials.name() + " is not {\"username\": ..., \"password\": ...}"));
    }

    @PreDestroy
    void close() {
        if (ownRelay != null) {
            ownRelay.client().close();
        }
    }
}
