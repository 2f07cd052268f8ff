package com.deliverychannels.bounce;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Amazon SES notification, in either the identity-notification format ({@code notificationType}) or
 * the event-publishing format ({@code eventType}), reduced to what matching a delivery and recording its
 * failure need. {@link SesNotificationParser} builds it.
 *
 * <p>
 * For {@link Kind#OTHER} (Send, Open, Click, ...) only {@code kind} and {@code rawType} are guaranteed: the
 * mail fields are filled when SES sent them readable, and are otherwise null or empty.
 *
 * @param rawType          the type as SES named it ({@code "Bounce"}, {@code "Rendering Failure"}, ...)
 * @param sesMessageId     {@code mail.messageId}, the id SES returned when the message was sent
 * @param mailTimestamp    {@code mail.timestamp}, when SES accepted the message
 * @param deliveryIdTag    {@code mail.tags.deliveryId[0]}; only event publishing carries tags
 * @param deliveryIdHeader the {@code X-Delivery-Id} header of the original message; only when SES includes
 *                         original headers
 * @param destination      {@code mail.destination}: every envelope recipient of the original message
 * @param occurredAt       when the bounce, complaint, delivery or delay happened; the mail timestamp for
 *                         kinds that carry no time of their own
 * @param recipients       the recipients this notification is about (see {@link Kind})
 * @param bounceType       {@code Permanent}, {@code Transient} or {@code Undetermined}; null unless BOUNCE
 * @param bounceSubType    SES's bounce sub-type ({@code General}, {@code MailboxFull}, ...); null unless BOUNCE
 * @param feedbackType     {@code complaint.complaintFeedbackType} ({@code abuse}, ...); null unless a
 *                         COMPLAINT came with a feedback report
 * @param detail           one short line for the timeline: the reject reason, rendering error, delay type or
 *                         SMTP response; null for the other kinds
 */
public record SesNotification(Kind kind, String rawType, String sesMessageId, Instant mailTimestamp,
        Optional<String> deliveryIdTag, Optional<String> deliveryIdHeader, List<String> destination,
        Instant occurredAt, List<Recipient> recipients, String bounceType, String bounceSubType, String feedbackType,
        String detail) {

    /** What SES is reporting, and so where {@link #recipients()} come from. */
    public enum Kind {
        /** {@code bounce.bouncedRecipients}. */
        BOUNCE,
        /** {@code complaint.complainedRecipients}. */
        COMPLAINT,
        /** {@code delivery.recipients}. */
        DELIVERY,
        /** SES refused to send (a virus, for one); every address of {@code mail.destination}. */
        REJECT,
        /** {@code deliveryDelay.delayedRecipients}. */
        DELIVERY_DELAY,
        /** A template failed to render, so nothing was sent; every address of {@code mail.destination}. */
        RENDERING_FAILURE,
        /** Send, Open, Click, Subscription and types SES adds later: acknowledged and ignored. */
        OTHER
    }

    /**
     * One recipient as SES reported it.
     *
     * @param address    a plain address, trimmed, as SES gave it
     * @param status     the DSN status code ({@code 5.1.1}); null when SES reported none
     * @param diagnostic the remote server's reply ({@code smtp; 550 5.1.1 user unknown}); null when none
     */
    public record Recipient(String address, String status, String diagnostic) {
        public Recipient {
            Objects.requireNonNull(address, "address");
        }
    }

    public SesNotification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rawType, "rawType");
        Objects.requireNonNull(deliveryIdTag, "deliveryIdTag");
        Objects.requireNonNull(deliveryIdHeader, "deliveryIdHeader");
        destination = List.copyOf(destination);
        recipients = List.copyOf(recipients);
    }

    /**
     * Whether {@code recipient} must not be mailed again: a complaint, a permanent bounce, or a transient
     * bounce whose status is a 5.x.x permanent failure. SES files some hard failures (5.4.4, no route to
     * the domain) as Transient; retrying those only hurts the sender's reputation. Undetermined bounces do
     * not suppress: SES could not tell what happened.
     */
    public boolean suppresses(Recipient recipient) {
        return switch (kind) {
            case COMPLAINT -> true;
            case BOUNCE -> "Permanent".equals(bounceType)
                    || "Transient".equals(bounceType) && recipient.status() != null
                            && recipient.status().startsWith("5.");
            default -> false;
        };
    }
}
