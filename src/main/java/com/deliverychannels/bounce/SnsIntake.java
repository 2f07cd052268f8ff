package com.deliverychannels.bounce;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.ForbiddenException;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.UnavailableException;

/**
 * What arrives from SNS, by either road (CONTRACT §3 {@code bounces}): the HTTPS webhook, whose envelope is
 * verified here, and SNS → Lambda events, which Lambda's own trigger vouches for. Either way the topic
 * must be one we accept, and each SNS message is processed once.
 */
public class SnsIntake {
    private static final Logger LOG = Logger.getLogger(SnsIntake.class);
    /** Longer than processing one notification takes; short enough that SNS's retry finds it over. */
    static final Duration LEASE = Duration.ofSeconds(60);

    private final SnsSignatureVerifier verifier;
    private final SesNotificationParser parser;
    private final BounceService bounces;
    private final SnsMessageLedger ledger;
    private final SubscriptionConfirmer confirmer;
    private final Set<String> topics;

    public SnsIntake(SnsSignatureVerifier verifier, SesNotificationParser parser, BounceService bounces,
            SnsMessageLedger ledger, SubscriptionConfirmer confirmer, List<String> acceptedTopics) {
        this.verifier = verifier;
        this.parser = parser;
        this.bounces = bounces;
        this.ledger = ledger;
        this.confirmer = confirmer;
        this.topics = Set.copyOf(acceptedTopics);
    }

    /** How one batch of SNS → Lambda records went. */
    public record Summary(int processed, int duplicates, int unmatched, int ignored) {
    }

    /**
     * A message posted to the webhook.
     *
     * @throws InvalidInputException malformed (400)
     * @throws ForbiddenException    foreign topic, bad signature or certificate, a timestamp too old or too far
     *                               ahead (403)
     * @throws UnavailableException  the certificate or the subscription link could not be fetched (503,
     *                               so SNS tries again)
     */
    public void webhook(String body) {
        SnsEnvelope envelope = envelope(() -> SnsEnvelope.parse(body));
        refuseForeignTopic(envelope);
        try {
            verifier.verify(envelope);
        } catch (SnsVerificationException e) {
            throw refusal(e);
        }
        switch (envelope.type()) {
            case "SubscriptionConfirmation" -> {
                try {
                    verifier.checkUrl(envelope.subscribeUrl());
                } catch (SnsVerificationException e) {
                    throw refusal(e);
                }
                confirmer.confirm(URI.create(envelope.subscribeUrl()));
                LOG.infof("SNS subscription to %s confirmed", envelope.topicArn());
            }
            case "UnsubscribeConfirmation" -> LOG.warnf("SNS unsubscribed this endpoint from %s", envelope.topicArn());
            case "Notification" -> process(envelope);
            default -> throw malformed("sns.type");
        }
    }

    /** SNS → Lambda records; a foreign topic fails the batch, so Lambda's retry and DLQ keep it visible. */
    public Summary lambda(List<SnsEnvelope> records) {
        int processed = 0;
        int duplicates = 0;
        int unmatched = 0;
        int ignored = 0;
        for (SnsEnvelope record : records) {
            refuseForeignTopic(record);
            switch (process(record)) {
                case APPLIED -> processed++;
                case UNMATCHED -> unmatched++;
                case IGNORED -> ignored++;
                case DUPLICATE -> duplicates++;
            }
        }
        return new Summary(processed, duplicates, unmatched, ignored);
    }

    private enum Result {
        APPLIED, UNMATCHED, IGNORED, DUPLICATE
    }

    private Result process(SnsEnvelope envelope) {
        switch (ledger.claim(envelope.messageId(), LEASE)) {
            case DONE -> {
                LOG.debugf("SNS message %s processed before", envelope.messageId());
                return Result.DUPLICATE;
            }
            case IN_PROGRESS -> throw new UnavailableException("problem.sns.in-progress", null);
            default -> {
            }
        }
        try {
            SesNotification notification = parser.parse(envelope.message());
            BounceService.Outcome outcome = bounces.apply(notification, envelope.messageId());
            ledger.done(envelope.messageId());
            return switch (outcome) {
                case APPLIED -> Result.APPLIED;
                case UNMATCHED -> Result.UNMATCHED;
                case IGNORED -> Result.IGNORED;
            };
        } catch (MalformedSesNotificationException e) {
            ledger.release(envelope.messageId());
            LOG.warnf("SNS message %s carries no readable SES notification: %s", envelope.messageId(), e.getMessage());
            throw malformed("sns.message");
        } catch (RuntimeException e) {
            ledger.release(envelope.messageId());
            throw e;
        }
    }

    private void refuseForeignTopic(SnsEnvelope envelope) {
        if (!topics.contains(envelope.topicArn())) {
            LOG.warnf("SNS message %s from topic %s refused: not in BOUNCE_TOPIC_ARNS", envelope.messageId(),
                    envelope.topicArn());
            throw new ForbiddenException("problem.sns.topic");
        }
    }

    private static RuntimeException refusal(SnsVerificationException e) {
        LOG.warnf("SNS message refused: %s (%s)", e.reason(), e.getMessage());
        return switch (e.reason()) {
            case MALFORMED -> malformed("sns.envelope");
            case CERT_UNAVAILABLE -> new UnavailableException("problem.sns.certificate-unavailable", e);
            case STALE -> new ForbiddenException("problem.sns.stale");
            case FUTURE -> new ForbiddenException("problem.sns.future",
                    SnsSignatureVerifier.MAX_FUTURE_SKEW.toMinutes());
            default -> new ForbiddenException("problem.sns.signature");
        };
    }

    private static SnsEnvelope envelope(java.util.function.Supplier<SnsEnvelope> parse) {
        try {
            return parse.get();
        } catch (SnsVerificationException e) {
            throw malformed("sns.envelope");
        }
    }

    private static InvalidInputException malformed(String key) {
        return InvalidInputException.malformed(List.of(FieldError.of("body", key)));
    }
}
