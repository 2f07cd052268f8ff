package com.deliverychannels.function;

import static com.deliverychannels.function.StoredItems.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A caller whose {@code sub} is longer than DynamoDB's 2048-byte partition key is a user like any other on
 * the {@code channels} routes: its settings and identities are kept, and another long {@code sub} that
 * differs only at its end sees none of them.
 */
@QuarkusTest
class LongCallerIdTest {

    /** Subs of 2,043 bytes (the longest kept as is), just over the limit, far over it, and multi-byte. */
    @ParameterizedTest
    @ValueSource(ints = {2043, 2044, 3000, 8000, -1100})
    void aLongSubKeepsItsChannelAndIdentities(int length) {
        String unique = UUID.randomUUID().toString();
        String sub = sub(unique, length, "a");
        String twin = sub(unique, length, "b");

        ApiAnswer created = ApiEvents.post("/v1/identities", json("name", "Bob", "address", "bob@example.com"))
                .as(sub).send();
        ApiAnswer smtp = ApiEvents.put("/v1/channel/smtp", json("host", "smtp.example.com", "port", 587,
                "security", "STARTTLS", "username", "bob", "password", "hunter2-secret", "authMethod", "PLAIN"))
                .as(sub).send();
        ApiAnswer active = ApiEvents.put("/v1/channel", json("active", "SMTP")).as(sub).send();

        assertEquals(201, created.status(), created.rawBody());
        assertEquals(200, smtp.status(), smtp.rawBody());
        assertEquals(200, active.status(), active.rawBody());
        JsonNode view = ApiEvents.get("/v1/channel").as(sub).send().body();
        assertEquals("SMTP", view.get("active").asText());
        assertEquals("bob@example.com", view.get("preview").get("identityAddress").asText());
        JsonNode items = ApiEvents.get("/v1/identities").as(sub).send().body().get("items");
        assertEquals(1, items.size());

        ApiAnswer others = ApiEvents.get("/v1/identities").as(twin).send();
        assertEquals(200, others.status(), others.rawBody());
        assertEquals(0, others.body().get("items").size(), "another caller sees nothing of it");
        assertEquals("MSC", ApiEvents.get("/v1/channel").as(twin).send().body().get("active").asText());
        ApiAnswer notTheirs = ApiEvents.delete("/v1/identities/" + created.body().get("id").asText()).as(twin).send();
        assertEquals(404, notTheirs.status(), notTheirs.rawBody());
    }

    /**
     * A sub of {@code length} bytes ({@code -n}: n two-byte characters) that starts with {@code unique} and
     * ends in {@code end}.
     */
    static String sub(String unique, int length, String end) {
        if (length < 0) {
            return unique + "é".repeat(-length) + end;
        }
        return unique + "s".repeat(length - unique.length() - end.length()) + end;
    }
}
