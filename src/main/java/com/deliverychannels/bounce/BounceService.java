package com.deliverychannels.bounce;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.core.SortableId;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;

/**
 * Applies what SES reports about a message sent through our servers (CONTRACT §3 {@code bounces}): the
 * delivery's status and timeline, one failed-delivery record per bounced or complaining recipient, and
 * the suppression of recipients that must not be mailed again. Everything it writes is keyed by the
 * notification, so a redelivered notification rewrites the same records instead of adding new ones.
 */
@ApplicationScoped
public class BounceService {
    private static final Logger LOG = Logger.getLogger(BounceService.class);
    private static final int ATTEMPTS = 3;

    private final DeliveryStore deliveries;
    private final SuppressionList suppressions;

    public BounceService(DeliveryStore deliveries, SuppressionList suppressions) {
        this.deliveries = deliveries;
        this.suppressions = suppressions;
    }

    /** What became of one notification. */
    public enum Outcome {
        APPLIED,
        /** No delivery of ours matches: acknowledged and logged, never an error. */
        UNMATCHED,
        /** A type we do not act on (opens, clicks, sends…). */
        IGNORED
    }

    /** Applies {@code notification}, which SNS delivered as message {@code snsMessageId}. */
    public Outcome apply(SesNotification notification, String snsMessageId) {
        if (notification.kind() == SesNotification.Kind.OTHER) {
            LOG.debugf("SES %s notification ignored", notification.rawType());
            return Outcome.IGNORED;
        }
        Optional<Delivery> match = match(notification);
        if (match.isEmpty()) {
            LOG.infof("SES %s for message %s matches no delivery; acknowledged", notification.kind(),
                    notification.sesMessageId());
            return Outcome.UNMATCHED;
        }
        Delivery delivery = match.get();
        String eventType = eventType(notification.kind());
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (delivery.hasEvent(eventType, notification.occurredAt())) {
                break; // applied before: a redelivery
            }
            Delivery next = delivery.notified(nextStatus(delivery.status(), notification.kind()),
                    new DeliveryEvent(eventType, notification.occurredAt(), describe(notification)));
            if (deliveries.update(next, delivery.version(), failures(notification, delivery, snsMessageId))) {
                break;
            }
            delivery = deliveries.find(delivery.deliveryId()).orElseThrow();
            if (attempt == ATTEMPTS - 1) {
                throw new com.deliverychannels.core.ConflictException("problem.delivery.concurrent-attempt");
            }
        }
        for (SesNotification.Recipient recipient : notification.recipients()) {
            if (notification.suppresses(recipient)) {
                suppressions.suppress(delivery.userId(), recipient.address(), reason(notification.kind()),
                        notification.occurredAt());
            }
        }
        LOG.infof("SES %s applied to delivery %s (%d recipients)", notification.kind(), delivery.deliveryId(),
                notification.recipients().size());
        return Outcome.APPLIED;
    }

    /** By the message tag, then our header, then the SES message id recorded at send time. */
    private Optional<Delivery> match(SesNotification notification) {
        Optional<String> byUs = notification.deliveryIdTag().or(notification::deliveryIdHeader)
                .filter(SortableId::isWellFormed);
        Optional<Delivery> found = byUs.flatMap(deliveries::find);
        if (found.isEmpty() && notification.sesMessageId() != null) {
            found = deliveries.findBySesMessageId(notification.sesMessageId());
        }
        return found;
    }

    private static List<FailedDelivery> failures(SesNotification notification, Delivery delivery,
            String snsMessageId) {
        FailureReason reason = switch (notification.kind()) {
            case BOUNCE -> FailureReason.BOUNCE;
            case COMPLAINT -> FailureReason.COMPLAINT;
            case REJECT -> FailureReason.REJECTED;
            default -> null;
        };
        if (reason == null) {
            return List.of();
        }
        List<SesNotification.Recipient> recipients = notification.recipients().isEmpty()
                ? delivery.recipients().stream().map(a -> new SesNotification.Recipient(a, null, null)).toList()
                : notification.recipients();
        return recipients.stream()
                .map(r -> new FailedDelivery(
                        SortableId.derived(notification.occurredAt(), snsMessageId + "|" + r.address()),
                        delivery.deliveryId(), r.address(), delivery.subject(), delivery.channel(), reason,
                        notification.bounceType(), notification.bounceSubType(),
                        r.diagnostic() != null ? r.diagnostic() : notification.detail(), notification.occurredAt(),
                        new FailedDelivery.Retry(RetryState.NOT_RETRYABLE, delivery.attempts(), null)))
                .toList();
    }

    /** The worse news wins: a complaint over a bounce over a delivery report. */
    private static DeliveryStatus nextStatus(DeliveryStatus current, SesNotification.Kind kind) {
        return switch (kind) {
            case BOUNCE -> current == DeliveryStatus.COMPLAINED ? current : DeliveryStatus.BOUNCED;
            case COMPLAINT -> DeliveryStatus.COMPLAINED;
            case DELIVERY -> current == DeliveryStatus.SENT ? DeliveryStatus.DELIVERED : current;
            case REJECT -> DeliveryStatus.FAILED;
            default -> current;
        };
    }

    private static String eventType(SesNotification.Kind kind) {
        return switch (kind) {
            case BOUNCE -> "BOUNCED";
            case COMPLAINT -> "COMPLAINED";
            case DELIVERY -> "DELIVERED";
            case REJECT -> "REJECTED";
            case DELIVERY_DELAY -> "DELAYED";
            case RENDERING_FAILURE -> "RENDERING_FAILED";
            case OTHER -> "OTHER";
        };
    }

    private static String describe(SesNotification n) {
        return switch (n.kind()) {
            case BOUNCE -> n.bounceType() + "/" + n.bounceSubType() + ": "
                    + String.join(", ", n.recipients().stream().map(SesNotification.Recipient::address).toList());
            case COMPLAINT -> (n.feedbackType() == null ? "complaint" : n.feedbackType()) + ": "
                    + String.join(", ", n.recipients().stream().map(SesNotification.Recipient::address).toList());
            default -> n.detail();
        };
    }

    private static FailureReason reason(SesNotification.Kind kind) {
        return kind == SesNotification.Kind.COMPLAINT ? FailureReason.COMPLAINT : FailureReason.BOUNCE;
    }
}
