package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.lastRelayed;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.StoredItems.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.SendFunctionProfile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A caller whose {@code sub} is longer than DynamoDB's 2048-byte partition key sends like any other: the
 * message leaves, its {@code Idempotency-Key} holds, and another long {@code sub} differing only at its end
 * can neither read it nor reuse the key.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendLongCallerIdTest {
    private static final String BODY = json("to", List.of("bob@example.org"), "subject", "Hello", "text", "Hi");

    @ParameterizedTest
    @ValueSource(ints = {2044, 4000, -1100})
    void aLongSubSendsReadsAndRepeatsItsMessage(int length) {
        String unique = UUID.randomUUID().toString();
        String sub = LongCallerIdTest.sub(unique, length, "a");
        String twin = LongCallerIdTest.sub(unique, length, "b");
        identity(sub, "Alice Martin", "alice@example.com");
        identity(twin, "Eve", "eve@example.com");
        String key = "send-" + UUID.randomUUID();
        int before = relayed();

        ApiAnswer sent = ApiEvents.post("/v1/messages", BODY).as(sub).header("Idempotency-Key", key).send();

        assertEquals(201, sent.status(), sent.rawBody());
        assertEquals("SENT", sent.body().get("status").asText());
        assertEquals("alice@example.com", sent.body().get("from").asText());
        lastRelayed(before);
        String id = sent.body().get("deliveryId").asText();
        ApiAnswer read = ApiEvents.get("/v1/messages/" + id).as(sub).send();
        assertEquals(200, read.status(), read.rawBody());
        ApiAnswer again = ApiEvents.post("/v1/messages", BODY).as(sub).header("Idempotency-Key", key).send();
        assertEquals(201, again.status(), again.rawBody());
        assertEquals(id, again.body().get("deliveryId").asText());
        assertEquals(before + 1, relayed(), "the repeated request sends nothing");

        assertEquals(404, ApiEvents.get("/v1/messages/" + id).as(twin).send().status());
        ApiAnswer twinSends = ApiEvents.post("/v1/messages", BODY).as(twin).header("Idempotency-Key", key).send();
        assertEquals(201, twinSends.status(), twinSends.rawBody());
        assertEquals("eve@example.com", twinSends.body().get("from").asText(), "the twin's own identity");
        assertNotEquals(id, twinSends.body().get("deliveryId").asText(), "the twin's own delivery");
    }
}
