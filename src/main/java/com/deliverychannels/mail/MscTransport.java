package com.deliverychannels.mail;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.deliverychannels.config.SmtpPolicyConfig;
import com.deliverychannels.delivery.OutgoingMessage;
import com.deliverychannels.delivery.SendOutcome;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailResult;

/**
 * Our own relay (the SES SMTP interface in AWS), configured by the standard {@code quarkus.mailer.*} keys
 * through the mail client Quarkus builds from them. With {@code quarkus.mailer.mock=true} nothing is
 * sent: the message is logged (without its body) and reported sent, as Quarkus's own mock mailer does.
 */
@ApplicationScoped
public class MscTransport {
    private static final Logger LOG = Logger.getLogger(MscTransport.class);

    private final MailClient relay;
    private final Context context;
    private final boolean mock;
    private final long timeoutMillis;

    public MscTransport(MailClient relay, Vertx vertx,
            @ConfigProperty(name = "quarkus.mailer.mock") Optional<Boolean> mock, SmtpPolicyConfig policy) {
        this.relay = relay;
        // The relay client pools its connections; used from a fresh Vert.x context on every new thread (the
        // retry sweep's workers) a send could stall without writing a command until the server timed out.
        // All sends go through one context.
        this.context = vertx.getOrCreateContext();
        this.mock = mock.orElse(false);
        this.timeoutMillis = policy.connectTimeout().multipliedBy(3).toMillis();
    }

    SendOutcome send(OutgoingMessage message) {
        if (mock) {
            LOG.infof("mock mailer: delivery %s to %d recipients not sent", message.deliveryId(),
                    message.recipients().size());
            return new SendOutcome.Sent("<mock-" + message.deliveryId() + ">", null);
        }
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
            return SmtpFailures.classify(e);
        } catch (Exception e) {
            return SmtpFailures.classify(e);
        }
    }
}
