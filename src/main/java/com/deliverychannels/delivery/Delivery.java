package com.deliverychannels.delivery;

import java.time.Instant;
import java.util.ArrayList;
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
        events = List.copyOf(events);
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

    /** Keeps bodies out of any log line. */
    @Override
    public String toString() {
        return "Delivery[" + deliveryId + ", user " + userId + ", " + status + " via " + channel + ", attempts "
                + attempts + "]";
    }
}
