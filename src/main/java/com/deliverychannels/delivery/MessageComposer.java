package com.deliverychannels.delivery;

import java.util.LinkedHashMap;
import java.util.Map;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.config.MscConfig;

/**
 * Turns a delivery into the message a channel sends (CONTRACT §1). On MSC: our envelope sender (bounces
 * come back to SES, not to the user), and the headers that let a bounce find its delivery —
 * {@code X-Delivery-Id}, the SES message tag {@code deliveryId} ({@code X-SES-MESSAGE-TAGS}) and, when
 * configured, {@code X-SES-CONFIGURATION-SET}. On Gmail and the user's SMTP the user's own server is the
 * sender in every sense.
 */
public final class MessageComposer {
    private final MscConfig msc;

    public MessageComposer(MscConfig msc) {
        this.msc = msc;
    }

    /** The message for {@code delivery} on {@code channel}, From the delivery's address. */
    public OutgoingMessage compose(Delivery delivery, ChannelType channel) {
        Map<String, String> headers = new LinkedHashMap<>();
        String envelopeFrom = null;
        if (channel == ChannelType.MSC) {
            envelopeFrom = "bounces@" + msc.senderDomain();
            headers.put("X-Delivery-Id", delivery.deliveryId());
            msc.configurationSet().ifPresent(set -> headers.put("X-SES-CONFIGURATION-SET", set));
            headers.put("X-SES-MESSAGE-TAGS", "deliveryId=" + delivery.deliveryId());
        }
        return new OutgoingMessage(delivery.deliveryId(), delivery.fromName(), delivery.fromAddress(), envelopeFrom,
                delivery.to(), delivery.cc(), delivery.bcc(), delivery.replyTo(), delivery.subject(), delivery.text(),
                delivery.html(), headers);
    }
}
