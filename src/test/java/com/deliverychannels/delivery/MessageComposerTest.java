package com.deliverychannels.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.config.MscConfig;

/**
 * What each channel puts on the wire (CONTRACT §1, §3): on MSC our envelope sender and the headers that let a
 * bounce find its delivery; on Gmail and the user's SMTP nothing of ours at all.
 */
class MessageComposerTest {
    private static final String ID = "01M82ZJ6ZXHRYB09R5W1G8SNDD";

    @Test
    void mscMessagesCarryOurEnvelopeSenderAndTheHeadersABounceNeeds() {
        OutgoingMessage message = composer(Optional.of("outbound-events")).compose(delivery(ChannelType.MSC),
                ChannelType.MSC);

        assertEquals("bounces@mail.example.net", message.envelopeFrom());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("X-Delivery-Id", ID);
        expected.put("X-SES-CONFIGURATION-SET", "outbound-events");
        expected.put("X-SES-MESSAGE-TAGS", "deliveryId=" + ID);
        assertEquals(expected, message.headers());
    }

    @Test
    void mscMessagesNameNoConfigurationSetWhenNoneIsConfigured() {
        OutgoingMessage message = composer(Optional.empty()).compose(delivery(ChannelType.MSC), ChannelType.MSC);

        assertEquals("bounces@mail.example.net", message.envelopeFrom());
        assertEquals(Map.of("X-Delivery-Id", ID, "X-SES-MESSAGE-TAGS", "deliveryId=" + ID), message.headers());
    }

    @ParameterizedTest
    @EnumSource(value = ChannelType.class, names = {"GMAIL", "SMTP"})
    void theUsersOwnServersGetNothingOfOurs(ChannelType channel) {
        OutgoingMessage message = composer(Optional.of("outbound-events")).compose(delivery(channel), channel);

        assertNull(message.envelopeFrom(), "the transport uses the From address as envelope sender");
        assertEquals(Map.of(), message.headers());
    }

    @ParameterizedTest
    @EnumSource(ChannelType.class)
    void everyChannelSendsTheDeliveryAsTheUserWroteIt(ChannelType channel) {
        OutgoingMessage message = composer(Optional.empty()).compose(delivery(channel), channel);

        assertEquals(ID, message.deliveryId());
        assertEquals("Alice Martin", message.fromName());
        assertEquals("alice@example.com", message.fromAddress());
        assertEquals(List.of("bob@example.org"), message.to());
        assertEquals(List.of("carol@example.org"), message.cc());
        assertEquals(List.of("dan@example.org"), message.bcc());
        assertEquals(List.of("bob@example.org", "carol@example.org", "dan@example.org"), message.recipients());
        assertEquals("sales@example.com", message.replyTo());
        assertEquals("Quarterly pricing", message.subject());
        assertEquals("Hi Bob", message.text());
        assertEquals("<p>Hi Bob</p>", message.html());
    }

    private static MessageComposer composer(Optional<String> configurationSet) {
        return new MessageComposer(new MscConfig() {
            @Override
            public String senderDomain() {
                return "mail.example.net";
            }

            @Override
            public Optional<String> configurationSet() {
                return configurationSet;
            }

            @Override
            public Optional<String> smtpCredentialsSecretArn() {
                return Optional.empty();
            }
        });
    }

    private static Delivery delivery(ChannelType channel) {
        Instant now = Instant.parse("2026-11-20T09:00:00Z");
        return new Delivery(ID, "user-alice", DeliveryStatus.RETRY_SCHEDULED, channel, "identity-1", "Alice Martin",
                "alice@example.com", List.of("bob@example.org"), List.of("carol@example.org"),
                List.of("dan@example.org"), "sales@example.com", "Quarterly pricing", "Hi Bob", "<p>Hi Bob</p>",
                "conversation-1", channel.viaTag(), channel.bounceTracking(), 0, now.plusSeconds(120), null,
                List.of(new DeliveryEvent("ACCEPTED", now, null)), now, null, null, 1);
    }
}
