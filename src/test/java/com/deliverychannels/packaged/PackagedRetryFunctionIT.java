package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The packaged {@code retry} function, invoked with EventBridge's scheduled event as AWS delivers it, sends
 * every due delivery once through our relay, leaves deliveries that are not yet due alone, and answers its
 * counts. Deliveries are seeded through the product's own store, as the send function leaves them after a
 * passing failure; a user's identity comes from the packaged {@code channels} function.
 */
class PackagedRetryFunctionIT {
    private static final String SCHEDULED_EVENT = "events/eventbridge/scheduled.json";
    private static final String ADDRESS = "alice@example.com";
    private static final String REFUSED = "550 5.1.1 scripted: no such user";

    @RegisterExtension
    static final PackagedProductExtension PACKAGED =
            new PackagedProductExtension("delivery-channels-packaged-retry", "retry", "channels");

    private static PackagedProduct product;
    private static PackagedFunction retry;
    private static PackagedFunction channels;

    @BeforeAll
    static void functions() {
        product = PACKAGED.product();
        retry = PACKAGED.function("retry");
        channels = PACKAGED.function("channels");
    }

    @Test
    void aScheduledEventSendsEachDueDeliveryOnceAndLeavesTheOthers() {
        String user = "user-" + UUID.randomUUID();
        String identityId = identity(user);
        List<Delivery> due = IntStream.range(0, 5)
                .mapToObj(i -> seed(DeliveryFixtures.retryScheduled(user, identityId, ADDRESS, ChannelType.MSC, 1,
                        Instant.now().minusSeconds(30 + i), 1)))
                .toList();
        Delivery later = seed(DeliveryFixtures.retryScheduled(user, identityId, ADDRESS, ChannelType.MSC, 1,
                Instant.now().plus(Duration.ofHours(1)), 1));
        int before = product.relay().messages().size();

        JsonNode answer = PackagedProduct.invoke(retry, ApiEvents.fixture(SCHEDULED_EVENT).toString());

        assertEquals(Set.of("claimed", "sent", "rescheduled", "failed"), fieldNames(answer), answer::toString);
        assertEquals(due.size(), answer.path("claimed").asInt(), answer::toString);
        assertEquals(due.size(), answer.path("sent").asInt(), answer::toString);
        List<ReceivedMessage> received = product.relay().awaitMessages(before + due.size(), Duration.ofSeconds(20));
        Map<String, Long> copies = received.subList(before, received.size()).stream()
                .collect(Collectors.groupingBy(message -> message.header("X-Delivery-Id"), Collectors.counting()));
        for (Delivery delivery : due) {
            Delivery after = stored(delivery);
            assertEquals(DeliveryStatus.SENT, after.status(), after::toString);
            assertEquals(2, after.attempts(), after::toString);
            assertNull(after.nextAttemptAt(), after::toString);
            assertFalse(after.hasContent(), "the content is dropped once sent: " + after);
            assertEquals(1L, copies.get(delivery.deliveryId()), () -> "one copy of each: " + copies);
        }
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, stored(later).status());
        assertFalse(copies.containsKey(later.deliveryId()), "a delivery due later is not sent");

        JsonNode again = PackagedProduct.invoke(retry, ApiEvents.fixture(SCHEDULED_EVENT).toString());
        assertEquals(0, again.path("claimed").asInt(), () -> "nothing is due twice: " + again);
    }

    @Test
    void aRefusedRecipientFailsTheDeliveryAndTheUserSeesWhy() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication()
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", REFUSED)
                .start()) {
            String user = "user-" + UUID.randomUUID();
            String identityId = identity(user);
            ApiAnswer saved = PackagedProduct.http(channels, ApiEvents.put("/v1/channel/smtp",
                    "{\"host\":\"%s\",\"port\":%d,\"security\":\"STARTTLS\",\"username\":\"alice\",".formatted(
                            server.host(), server.port())
                            + "\"password\":\"pa55-w0rd-x\",\"authMethod\":\"PLAIN\"}").as(user));
            assertEquals(200, saved.status(), saved::toString);
            ApiAnswer active = PackagedProduct.http(channels, ApiEvents.put("/v1/channel", "{\"active\":\"SMTP\"}")
                    .as(user));
            assertEquals(200, active.status(), active::toString);
            Delivery delivery = seed(DeliveryFixtures.retryScheduled(user, identityId, ADDRESS, ChannelType.SMTP, 1,
                    Instant.now().minusSeconds(10), 1));

            JsonNode answer = PackagedProduct.invoke(retry, ApiEvents.fixture(SCHEDULED_EVENT).toString());

            assertEquals(1, answer.path("failed").asInt(), answer::toString);
            Delivery after = stored(delivery);
            assertEquals(DeliveryStatus.FAILED, after.status(), after::toString);
            assertEquals(REFUSED, after.lastError(), after::toString);
            ApiAnswer failed = PackagedProduct.http(channels, ApiEvents.get("/v1/failed-deliveries").as(user));
            assertEquals(200, failed.status(), failed::toString);
            Set<String> recipients = new java.util.TreeSet<>();
            failed.body().path("items").forEach(item -> {
                assertEquals("SEND_FAILED", item.path("reason").asText(), failed::toString);
                assertEquals(delivery.deliveryId(), item.path("deliveryId").asText(), failed::toString);
                recipients.add(item.path("recipient").asText());
            });
            assertEquals(Set.of("bob@example.org", "carol@example.org"), recipients, failed::toString);
        }
    }

    /** The user's first, default identity, created through the packaged channels function; its id. */
    private static String identity(String user) {
        ApiAnswer created = PackagedProduct.http(channels, ApiEvents.post("/v1/identities",
                "{\"name\":\"Alice Martin\",\"address\":\"" + ADDRESS + "\",\"default\":true}").as(user));
        assertEquals(201, created.status(), created::toString);
        return created.body().path("id").asText();
    }

    private static Delivery seed(Delivery delivery) {
        assertTrue(product.deliveries().create(delivery, Optional.empty()), delivery::toString);
        return delivery;
    }

    private static Delivery stored(Delivery delivery) {
        return product.deliveries().find(delivery.deliveryId()).orElseThrow();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
