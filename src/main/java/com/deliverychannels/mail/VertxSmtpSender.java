package com.deliverychannels.mail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.channel.SmtpSecurity;
import com.deliverychannels.config.SmtpPolicyConfig;
import com.deliverychannels.delivery.OutgoingMessage;
import com.deliverychannels.delivery.SendOutcome;

import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailResult;
import io.vertx.ext.mail.StartTLSOptions;

/**
 * Sends through a user's server (their own SMTP, or Gmail with XOAUTH2) with the Vert.x mail client. A
 * client is built for the one message and closed after it: no connection outlives the settings it was
 * made from, and none is shared between users.
 */
@ApplicationScoped
public class VertxSmtpSender {
    private final Vertx vertx;
    private final Duration timeout;

    public VertxSmtpSender(Vertx vertx, SmtpPolicyConfig policy) {
        this.vertx = vertx;
        this.timeout = policy.connectTimeout();
    }

    SendOutcome send(SmtpTarget target, OutgoingMessage message) {
        MailConfig config = new MailConfig()
                .setHostname(target.host())
                .setPort(target.port())
                .setOwnHostname(target.ownHostname())
                .setLogin(LoginOption.REQUIRED)
                .setAuthMethods(target.authMethod())
                .setUsername(target.username())
                .setPassword(target.secret())
                .setKeepAlive(false)
                .setMaxPoolSize(1);
        if (target.security() == SmtpSecurity.TLS) {
            config.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
        } else {
            config.setStarttls(StartTLSOptions.REQUIRED);
        }
        // Vert.x checks no host name unless told to; the certificate must name the server (RFC 6125).
        config.setHostnameVerificationAlgorithm("HTTPS");
        config.setConnectTimeout((int) timeout.toMillis());
        config.setIdleTimeout((int) timeout.toSeconds());
        config.setIdleTimeoutUnit(TimeUnit.SECONDS);
        MailClient client = MailClient.create(vertx, config);
        try {
            MailResult result = client.sendMail(MailMessages.of(message)).toCompletionStage().toCompletableFuture()
                    .get(timeout.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
            return new SendOutcome.Sent(result.getMessageID(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SmtpFailures.classify(e, target.secret());
        } catch (Exception e) {
            return SmtpFailures.classify(e, target.secret());
        } finally {
            client.close();
        }
    }
}
