package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.assertRefused;
import static com.deliverychannels.function.SendFixtures.deliveriesOf;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.lastRelayed;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.SendFunctionProfile;

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
