package com.deliverychannels.delivery;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A message ready for a transport: who it is from, to whom, what it says, and the extra headers the
 * channel requires. Headers and addresses were checked for control characters and line separators
 * ({@code core/HeaderText}) before this was built.
 *
 * @param fromName    the display name; may be null
 * @param envelopeFrom the SMTP {@code MAIL FROM}; null lets the transport use the From address
 * @param headers     extra headers, in order
 */
public record OutgoingMessage(String deliveryId, String fromName, String fromAddress, String envelopeFrom,
        List<String> to, List<String> cc, List<String> bcc, String replyTo, String subject, String text, String html,
        Map<String, String> headers) {

    /** Every envelope recipient. */
    public List<String> recipients() {
        return Stream.of(to, cc, bcc).flatMap(List::stream).toList();
    }

    @Override
    public String toString() {
        return "OutgoingMessage[" + deliveryId + ", " + recipients().size() + " recipients]";
    }
}
