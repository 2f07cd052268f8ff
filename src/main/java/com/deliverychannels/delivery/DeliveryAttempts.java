package com.deliverychannels.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelHealth;
import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.SortableId;

/**
 * One attempt to send a delivery, on the user's channel as it is now, and the record of its outcome:
 * SENT (content dropped), RETRY_SCHEDULED (with the next attempt), or FAILED (with one failed-delivery
 * record per recipient, in the same transaction). What the attempt teaches about the channel (refused
 * credentials, a revoked grant) is recorded too. The send function and the retry sweep both use it.
 */
@ApplicationScoped
public class DeliveryAttempts {
    private static final Logger LOG = Logger.getLogger(DeliveryAttempts.class);

    private final DeliveryStore deliveries;
    private final ChannelStore channels;
    private final ChannelMailer mailer;
    private final ChannelHealth health;
    private final MessageComposer composer;
    private final RetryPolicy retryPolicy;
    private final Clock clock;

    public DeliveryAttempts(DeliveryStore deliveries, ChannelStore channels, ChannelMailer mailer, ChannelHealth health,
            MessageComposer composer, RetryPolicy retryPolicy, Clock clock) {
        this.deliveries = deliveries;
        this.channels = channels;
        this.mailer = mailer;
        this.health = health;
        this.composer = composer;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /**
     * Sends {@code delivery} once and records what happened.
     *
     * @throws ConflictException when another writer changed the delivery meanwhile (the other writer's
     *                           record stands)
     */
    public Delivery attempt(Delivery delivery) {
        return attempt(delivery, false);
    }

    /**
     * Sends {@code delivery} once; a retry asked for by hand gets a fresh back-off for one more attempt if
     * this one fails for a passing reason.
     */
    public Delivery attempt(Delivery delivery, boolean byHand) {
        return attempt(delivery, channels.settings(delivery.userId()), byHand);
    }

    /**
     * Sends {@code delivery} once on the channel {@code settings} name: the user's settings as the caller just
     * read them (a first attempt, in the request that accepted the message), so they are not read twice.
     */
    public Delivery attempt(Delivery delivery, ChannelSettings settings, boolean byHand) {
        return attempt(delivery, settings, byHand, Optional.empty());
    }

    /**
     * The first attempt of a request that came with an {@code Idempotency-Key}: as
     * {@link #attempt(Delivery, ChannelSettings, boolean)}, and the delivery it answers is recorded in the key's
     * marker in the same write as the outcome, so a repeat of the request gets this answer itself.
     */
    public Delivery attempt(Delivery delivery, ChannelSettings settings, IdempotencyMarker marker) {
        return attempt(delivery, settings, false, Optional.of(marker));
    }

    private Delivery attempt(Delivery delivery, ChannelSettings settings, boolean byHand,
            Optional<IdempotencyMarker> marker) {
        ChannelType channel = settings.active();
        delivery = delivery.on(channel, fromAddress(delivery, settings));
        SendOutcome outcome = mailer.send(delivery.userId(), channel, settings, composer.compose(delivery, channel));
        Instant now = clock.instant();
        int attempts = delivery.attempts() + 1;
        Delivery next;
        List<FailedDelivery> failures = List.of();
        if (outcome instanceof SendOutcome.Sent sent) {
            next = delivery.next(DeliveryStatus.SENT, attempts, null, null,
                    new DeliveryEvent("SENT", now, null), false, sent.messageId(), sent.sesMessageId());
        } else {
            SendOutcome.Failed failed = (SendOutcome.Failed) outcome;
            learnFrom(delivery.userId(), channel, failed.kind());
            Instant nextAttempt = !failed.kind().retryable() ? null
                    : byHand ? retryPolicy.nextAttempt(1, now, now)
                    : retryPolicy.nextAttempt(attempts, delivery.createdAt(), now);
            if (nextAttempt != null) {
                next = delivery.next(DeliveryStatus.RETRY_SCHEDULED, attempts, nextAttempt, failed.diagnostic(),
                        new DeliveryEvent("RETRY_SCHEDULED", now, failed.diagnostic()), true, delivery.messageId(),
                        null);
            } else {
                RetryState state = failed.kind().retryable() ? RetryState.EXHAUSTED : RetryState.NOT_RETRYABLE;
                // The content stays (for a retry by hand) until the record expires, 30 days on.
                next = delivery.next(DeliveryStatus.FAILED, attempts, null, failed.diagnostic(),
                        new DeliveryEvent("FAILED", now, failed.diagnostic()), true, delivery.messageId(), null);
                failures = failureRecords(next, failed.diagnostic(), state, now);
            }
        }
        boolean recorded = marker.isPresent()
                ? deliveries.update(next, delivery.version(), failures, marker.get().answered(next))
                : deliveries.update(next, delivery.version(), failures);
        if (!recorded) {
            // Another attempt recorded its outcome first; the message may have left twice (at-least-once).
            LOG.warnf("delivery %s changed during an attempt; its outcome %s was not recorded", delivery.deliveryId(),
                    next.status());
            throw new ConflictException("problem.delivery.concurrent-attempt");
        }
        return next;
    }

    /**
     * Whose address the message shows on the channel as it is now (CONTRACT §1): the Gmail account's on
     * GMAIL, the chosen identity's otherwise (looked up again, since the message may have been accepted on
     * Gmail, whose From was the account).
     */
    private String fromAddress(Delivery delivery, ChannelSettings settings) {
        if (settings.active() == ChannelType.GMAIL && settings.gmail() != null) {
            return settings.gmail().address();
        }
        if (delivery.channel() != ChannelType.GMAIL) {
            return delivery.fromAddress();
        }
        return channels.identity(delivery.userId(), delivery.identityId())
                .or(() -> java.util.Optional.ofNullable(settings.defaultIdentityId())
                        .flatMap(id -> channels.identity(delivery.userId(), id)))
                .map(com.deliverychannels.channel.Identity::address)
                .orElse(delivery.fromAddress());
    }

    private void learnFrom(String userId, ChannelType channel, FailureKind kind) {
        if (kind == FailureKind.AUTH_FAILED && channel == ChannelType.SMTP) {
            health.smtpAuthenticationFailed(userId);
        } else if (kind == FailureKind.GRANT_REVOKED
                || (kind == FailureKind.AUTH_FAILED && channel == ChannelType.GMAIL)) {
            health.gmailGrantRevoked(userId);
        }
    }

    private static List<FailedDelivery> failureRecords(Delivery failed, String diagnostic, RetryState state,
            Instant now) {
        return failed.recipients().stream()
                .map(recipient -> new FailedDelivery(SortableId.at(now), failed.deliveryId(), recipient,
                        failed.subject(), failed.channel(), FailureReason.SEND_FAILED, null, null, diagnostic, now,
                        new FailedDelivery.Retry(state, failed.attempts(), null)))
                .toList();
    }
}
