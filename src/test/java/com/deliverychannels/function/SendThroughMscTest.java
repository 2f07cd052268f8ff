package com.deliverychannels.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendThroughMscTest {

    @Test
    void sendsThroughOurRelayWithTheHeadersABounceNeeds() {
        String user = "user-" + UUID.randomUUID();
        String identityId = SendFixtures.identity(user, "Alice Martin", "alice@example.com");
        int before = MscRelayResource.relay().messages().size();

        ApiAnswer answer = ApiEvents.post("/v1/messages", """
                {"to":["bob@example.org"],"cc":["carol@example.org"],"subject":"Hello Bob",
                 "text":"Hi Bob,\\nshall we talk?","html":"<p>Hi Bob,</p>"}""").as(user).send();

        assertEquals(201, answer.status(), answer.rawBody());
        String deliveryId = answer.body().get("deliveryId").asText();
        assertEquals("SENT", answer.body().get("status").asText());
        assertEquals("MSC", answer.body().get("channel").asText());
        assertEquals("alice@example.com", answer.body().get("from").asText());
        assertTrue(answer.body().get("viaTag").asBoolean());
        assertEquals(1, answer.body().get("attempts").asInt());
        assertEquals(List.of("ACCEPTED", "SENT"), SendFixtures.eventTypes(answer.body()));
        assertNotNull(identityId);

        List<ReceivedMessage> received = MscRelayResource.relay().awaitMessages(before + 1, Duration.ofSeconds(10));
        ReceivedMessage message = received.get(received.size() - 1);
        assertEquals("bounces@mail.delivery-channels.local", message.envelopeFrom());
        assertEquals(List.of("bob@example.org", "carol@example.org"), message.recipients());
        assertTrue(message.header("From").contains("alice@example.com"), message.header("From"));
        assertTrue(message.header("From").contains("Alice Martin"), message.header("From"));
        assertEquals(deliveryId, message.header("X-Delivery-Id"));
        assertEquals("deliveryId=" + deliveryId, message.header("X-SES-MESSAGE-TAGS"));
        assertEquals("delivery-channels-test", message.header("X-SES-CONFIGURATION-SET"));
        assertTrue(message.header("Message-ID").endsWith("@mail.delivery-channels.local>"), message.header("Message-ID"));
        assertEquals("Hello Bob", message.header("Subject"));
    }

    @Test
    void statusCanBeReadBackButNotByAnotherUser() {
        String user = "user-" + UUID.randomUUID();
        SendFixtures.identity(user, "Alice", "alice@example.com");
        ApiAnswer sent = ApiEvents.post("/v1/messages", "{\"to\":[\"bob@example.org\"],\"subject\":\"s\",\"text\":\"t\"}")
                .as(user).send();
        String deliveryId = sent.body().get("deliveryId").asText();

        ApiAnswer read = ApiEvents.get("/v1/messages/" + deliveryId).as(user).send();
        assertEquals(200, read.status());
        assertEquals("SENT", read.body().get("status").asText());
        assertFalse(read.rawBody().contains("\"text\""), "the body is never echoed");

        assertEquals(404, ApiEvents.get("/v1/messages/" + deliveryId).as("someone-else").send().status());
    }
}
