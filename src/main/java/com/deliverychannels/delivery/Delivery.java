package com.deliverychannels.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.deliverychannels.channel.ChannelType;

/**
 * One message a user sent, with what became of it. The content ({@code text}, {@code html}) is kept only
 * while an attempt may still be made, and dropped once the delivery is SENT or finally FAILED.
 *
 * @param fromAddress  the address recipients see: the identity's, or the Gmail account's
 * @param attempts     SMTP transactions tried so far
 * @param nextAttemptAt when the next attempt is due; null unless RETRY_SCHEDULED
 * @param messageId    the {@code Message-ID} header it was sent with; null before the first attempt
 * @param sesMessageId SES's id for the message (MSC), when the relay told it; null otherwise
 * @param version      for conditional updates: two writers never overwrite each other
 */
public record Delivery(String deliveryId, String userId, DeliveryStatus status, ChannelType channel,
        String identityId, String fromName, String fromAddress, List<String> to, List<String> cc, List<String> bcc,
        String replyTo, String subject, String text, String html, String conversationId, boolean viaTag,
        boolean bounceTracking, int attempts, Instant nextAttemptAt, String lastError, List<DeliveryEvent> events,
        Instant createdAt, String messageId, String sesMessageId, long version) {

    public Delivery {
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
        events = inTimeOrder(events);
    }

    /**
     * The timeline in the order things happened, not the order we learnt of them: SES reports a bounce with
     * the time it bounced, which may come after a later event was recorded (a delivery report, a retry).
     * Events of the same instant keep the order they were recorded in (the sort is stable).
     */
    private static List<DeliveryEvent> inTimeOrder(List<DeliveryEvent> events) {
        return events.stream().sorted(Comparator.comparing(DeliveryEvent::at)).toList();
    }

    /** Every recipient: To, Cc and Bcc. */
    public List<String> recipients() {
        return Stream.of(to, cc, bcc).flatMap(List::stream).toList();
    }

    /** Whether the content is still kept (an attempt may still be made). */
    public boolean hasContent() {
        return text != null || html != null;
    }

    /** The delivery after an attempt or a notification, with one more event and the next version. */
    Delivery next(DeliveryStatus nextStatus, int nextAttempts, Instant nextAttempt, String error, DeliveryEvent event,
            boolean keepContent, String nextMessageId, String nextSesMessageId) {
        List<DeliveryEvent> timeline = new ArrayList<>(events);
        timeline.add(event);
        return new Delivery(deliveryId, userId, nextStatus, channel, identityId, fromName, fromAddress, to, cc, bcc,
                replyTo, subject, keepContent ? text : null, keepContent ? html : null, conversationId, viaTag,
                bounceTracking, nextAttempts, nextAttempt, error, timeline, createdAt, nextMessageId, nextSesMessageId,
                version + 1);
    }

    /**
     * The delivery after a notification from the mail system (a bounce, a complaint, a delivery report):
     * attempts and content unchanged, one more event.
     */
    public Delivery notified(DeliveryStatus nextStatus, DeliveryEvent event) {
        return next(nextStatus, attempts, nextStatus == DeliveryStatus.RETRY_SCHEDULED ? nextAttemptAt : null,
                lastError, event, hasContent(), messageId, sesMessageId);
    }

    /**
     * The delivery as it will leave on {@code nextChannel} From {@code nextFrom}: a retry goes out on the
     * user's channel as it is now, which may not be the one of the first attempt.
     */
    public Delivery on(ChannelType nextChannel, String nextFrom) {
        return new Delivery(deliveryId, userId, status, nextChannel, identityId, fromName, nextFrom, to, cc, bcc,
                replyTo, subject, text, html, conversationId, nextChannel.viaTag(), nextChannel.bounceTracking(),
                attempts, nextAttemptAt, lastError, events, createdAt, messageId, sesMessageId, version);
    }

    /**
     * The delivery held by one attempt until {@code until}: still RETRY_SCHEDULED, due again only if that
     * attempt never records its outcome (its process died), so no message waits forever.
     */
    public Delivery leased(java.time.Instant until) {
        return new Delivery(deliveryId, userId, DeliveryStatus.RETRY_SCHEDULED, channel, identityId, fromName,
                fromAddress, to, cc, bcc, replyTo, subject, text, html, conversationId, viaTag, bounceTracking, attempts,
                until, lastError, events, createdAt, messageId, sesMessageId, version + 1);
    }

    /** The instant of the latest event (when the delivery last changed state). */
    public java.time.Instant lastEventAt() {
        return events.isEmpty() ? createdAt : events.get(events.size() - 1).at();
    }

    /** Whether the timeline already has an event of this type at this instant (a redelivered notification). */
    public boolean hasEvent(String type, java.time.Instant at) {
        return events.stream().anyMatch(e -> e.type().equals(type) && e.at().equals(at));
    }

    /** Keeps bodies out of any log line. */
    @Override
    public String toString() {
        return "Delivery[" + deliveryId + ", user " + userId + ", " + status + " via " + channel + ", attempts "
                + attempts + "]";
    }
}
