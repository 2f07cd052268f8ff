package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.assertRefused;
import static com.deliverychannels.function.SendFixtures.deliveriesOf;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.lastRelayed;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code Idempotency-Key}: a client that sends the same request again (a time-out, a retry of its own) gets
 * the first answer and its recipients get one message.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendIdempotencyTest {
    private static final String BODY = json("to", List.of("bob@example.org"), "subject", "Hello", "text", "Hi");

    @Inject
    SendFunction function;
    @Inject
    DeliveryStore deliveries;

    @Test
    void sameKeyAndSameBodyAnswerTheFirstDeliveryAndSendOnce() {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        int before = relayed();

        ApiAnswer first = send(user, key, BODY);
        ApiAnswer again = send(user, key, BODY);

        assertEquals(201, first.status(), first.rawBody());
        assertEquals(201, again.status(), again.rawBody());
        assertEquals(first.body().get("deliveryId").asText(), again.body().get("deliveryId").asText());
        assertEquals("SENT", again.body().get("status").asText());
        assertEquals(1, again.body().get("attempts").asInt());
        lastRelayed(before);
        assertEquals(before + 1, relayed(), "the repeated request sends nothing");
        assertEquals(1, deliveriesOf(user).size());
    }

    /**
     * While the first request is in its SMTP transaction, repeats arriving on other instances are told to come
     * back (409 with {@code Retry-After}), never shown the delivery as the first request left it mid-way; once
     * it answered, a repeat gets that answer itself. The mock event server runs one invocation at a time, so the
     * requests go to the function's handler in-process, from several threads, as several Lambda instances would.
     */
    @Test
    void repeatsWhileTheFirstRequestIsInFlightAre409WithRetryAfterThenTheFirstAnswer() throws Exception {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        int before = relayed();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            Future<ApiAnswer> first;
            List<ApiAnswer> repeats = new ArrayList<>();
            try (TestSmtpServer.Hold hold = MscRelayResource.relay().holdDataReplies()) {
                first = pool.submit(() -> invoke(user, key, BODY));
                MscRelayResource.relay().awaitMessages(before + 1, Duration.ofSeconds(10));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ApiAnswer>> pending = new ArrayList<>();
                for (int i = 0; i < 19; i++) {
                    pending.add(pool.submit(() -> {
                        start.await();
                        return invoke(user, key, BODY);
                    }));
                }
                start.countDown();
                for (Future<ApiAnswer> repeat : pending) {
                    repeats.add(repeat.get(20, TimeUnit.SECONDS));
                }
                assertFalse(first.isDone(), "the first request is still waiting for the relay's 250");
            }
            ApiAnswer answered = first.get(20, TimeUnit.SECONDS);

            for (ApiAnswer repeat : repeats) {
                ChannelsRoutingTest.assertProblem(repeat, 409, "conflict");
                assertTrue(Integer.parseInt(repeat.header("retry-after")) >= 1, repeat.headers().toString());
                assertFalse(repeat.rawBody().contains("deliveryId"), repeat.rawBody());
            }
            assertEquals(201, answered.status(), answered.rawBody());
            assertEquals("SENT", answered.body().get("status").asText());
            ApiAnswer after = invoke(user, key, BODY);
            assertEquals(201, after.status(), after.rawBody());
            assertEquals(answered.body(), after.body(), "the first answer itself");
            assertEquals(before + 1, relayed(), "one message");
            assertEquals(1, deliveriesOf(user).size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The probe's case: 20 identical requests at once send one message, and no answer shows a send mid-way. */
    @Test
    void twentyIdenticalRequestsAtOnceSendOneMessageAndAnswerOnlyTheOutcomeOrAConflict() throws Exception {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        int before = relayed();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ApiAnswer>> pending = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                pending.add(pool.submit(() -> {
                    start.await();
                    return invoke(user, key, BODY);
                }));
            }
            start.countDown();
            List<ApiAnswer> answers = new ArrayList<>();
            for (Future<ApiAnswer> answer : pending) {
                answers.add(answer.get(30, TimeUnit.SECONDS));
            }

            List<ApiAnswer> created = answers.stream().filter(a -> a.status() == 201).toList();
            assertFalse(created.isEmpty(), "the request that won answers");
            for (ApiAnswer answer : created) {
                assertEquals("SENT", answer.body().get("status").asText(), answer.rawBody());
                assertEquals(1, answer.body().get("attempts").asInt(), answer.rawBody());
                assertEquals(created.get(0).body(), answer.body());
            }
            for (ApiAnswer answer : answers.stream().filter(a -> a.status() != 201).toList()) {
                ChannelsRoutingTest.assertProblem(answer, 409, "conflict");
                assertNotNull(answer.header("retry-after"), answer.headers().toString());
            }
            MscRelayResource.relay().awaitMessages(before + 1, Duration.ofSeconds(10));
            assertEquals(before + 1, relayed(), "one message");
            assertEquals(1, deliveriesOf(user).size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first answer, not the delivery as it stands later: a bounce after it changes what GET shows only. */
    @Test
    void aRepeatAfterTheDeliveryChangedStillGetsTheFirstAnswer() {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        ApiAnswer first = send(user, key, BODY);
        assertEquals(201, first.status(), first.rawBody());
        String deliveryId = first.body().get("deliveryId").asText();
        Delivery sent = deliveries.find(deliveryId).orElseThrow();
        assertTrue(deliveries.update(sent.notified(DeliveryStatus.BOUNCED,
                new DeliveryEvent("BOUNCED", Instant.now(), "bob@example.org")), sent.version(), List.of()));

        ApiAnswer repeated = send(user, key, BODY);

        assertEquals(201, repeated.status(), repeated.rawBody());
        assertEquals(first.body(), repeated.body());
        assertEquals("BOUNCED", ApiEvents.get("/v1/messages/" + deliveryId).as(user).send().body().get("status")
                .asText(), "GET tells the delivery as it stands");
    }

    @Test
    void theMarkerHoldsTheFirstAnswerOnceGiven() {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();

        ApiAnswer answer = send(user, key, BODY);

        Map<String, AttributeValue> marker = marker(user, key);
        assertEquals(answer.body().get("deliveryId").asText(), marker.get("answer").m().get("deliveryId").s());
        assertEquals("SENT", marker.get("answer").m().get("status").s());
        assertFalse(marker.get("answer").m().containsKey("text"), "no content in the marker");
        assertFalse(marker.containsKey("inFlightUntil"), "no longer in flight");
    }

    @Test
    void sameKeyWithAnotherBodyIsRefusedAndSendsNothing() {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        ApiAnswer first = send(user, key, BODY);
        assertEquals(201, first.status(), first.rawBody());
        int before = relayed();

        ApiAnswer other = send(user, key, json("to", List.of("bob@example.org"), "subject", "Hello again",
                "text", "Hi"));

        ChannelsRoutingTest.assertProblem(other, 422, "invalid-fields");
        assertEquals(Set.of("Idempotency-Key"), ChannelSettingsTest.fields(other), other.rawBody());
        assertEquals(before, relayed(), "nothing may be sent");
        assertEquals(1, deliveriesOf(user).size(), "no second delivery");
        assertEquals(first.body().get("deliveryId").asText(), marker(user, key).get("deliveryId").s(),
                "the key still names the first delivery");
    }

    @Test
    void sameKeyFromAnotherUserIsAnotherDelivery() {
        String alice = userWithIdentity();
        String bruno = userWithIdentity();
        String key = "send-" + UUID.randomUUID();
        int before = relayed();

        ApiAnswer fromAlice = send(alice, key, BODY);
        ApiAnswer fromBruno = send(bruno, key, BODY);

        assertEquals(201, fromAlice.status(), fromAlice.rawBody());
        assertEquals(201, fromBruno.status(), fromBruno.rawBody());
        assertNotEquals(fromAlice.body().get("deliveryId").asText(), fromBruno.body().get("deliveryId").asText());
        assertEquals("SENT", fromBruno.body().get("status").asText());
        assertEquals(before + 2, MscRelayResource.relay().awaitMessages(before + 2, Duration.ofSeconds(10)).size());
        assertEquals(1, deliveriesOf(alice).size());
        assertEquals(1, deliveriesOf(bruno).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedKeys")
    void refusesAMalformedKey(String name, String key) {
        String user = userWithIdentity();

        assertRefused(user, () -> send(user, key, BODY), 422, Set.of("Idempotency-Key"));
    }

    static Stream<Arguments> malformedKeys() {
        return Stream.of(
                Arguments.of("a space", "order 42"),
                Arguments.of("256 characters", "k".repeat(256)),
                Arguments.of("non-ASCII", "clé-42"));
    }

    @Test
    void acceptsAKeyOf255VisibleCharacters() {
        String user = userWithIdentity();

        ApiAnswer answer = send(user, "k".repeat(254) + "~", BODY);

        assertEquals(201, answer.status(), answer.rawBody());
    }

    @Test
    void remembersTheKeyForADay() {
        String user = userWithIdentity();
        String key = "send-" + UUID.randomUUID();

        ApiAnswer answer = send(user, key, BODY);

        assertEquals(201, answer.status(), answer.rawBody());
        Map<String, AttributeValue> marker = marker(user, key);
        assertNotNull(marker, "an IDEMPOTENCY# item for the key");
        assertEquals(answer.body().get("deliveryId").asText(), marker.get("deliveryId").s());
        long expiresAt = Long.parseLong(marker.get("expiresAt").n());
        long expected = Instant.now().plus(Duration.ofHours(24)).getEpochSecond();
        assertTrue(Math.abs(expiresAt - expected) < 120, "expiresAt " + expiresAt + " not about now + 24 h");
    }

    /** The function's handler, called in-process as a Lambda instance of its own would run it. */
    private ApiAnswer invoke(String user, String key, String body) {
        return ApiEvents.answer(function.send(ApiEvents.post("/v1/messages", body).as(user)
                .header("Idempotency-Key", key).toEvent()));
    }

    private static ApiAnswer send(String user, String key, String body) {
        return ApiEvents.post("/v1/messages", body).as(user).header("Idempotency-Key", key).send();
    }

    private static Map<String, AttributeValue> marker(String user, String key) {
        return StoredItems.item(user, "IDEMPOTENCY#" + key);
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        return user;
    }
}
