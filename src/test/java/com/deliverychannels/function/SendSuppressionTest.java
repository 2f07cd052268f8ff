package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.assertRefused;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.lastRelayed;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.SendFixtures.send;
import static com.deliverychannels.function.SendFixtures.suppress;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.SendFunctionProfile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Recipients who bounced hard or complained are never mailed again by the user who suppressed them. */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendSuppressionTest {

    @Test
    void refusesASuppressedRecipientWhateverItsCase() {
        String user = userWithIdentity();
        suppress(user, "bob@example.org");

        ApiAnswer answer = assertRefused(user, () -> send(user, json("to", List.of("carol@example.org"),
                "cc", List.of("BOB@Example.org"), "subject", "Hello", "text", "Hi")), 422, Set.of("cc[0]"));

        String message = answer.body().get("errors").get(0).get("message").asText();
        assertTrue(message.contains("BOB@Example.org"), message);
    }

    @Test
    void listsEverySuppressedRecipient() {
        String user = userWithIdentity();
        suppress(user, "bob@example.org");
        suppress(user, "dan@example.net");

        assertRefused(user, () -> send(user, json("to", List.of("bob@example.org", "carol@example.org"),
                "bcc", List.of("erin@example.org", "Dan@Example.NET"), "subject", "Hello", "text", "Hi")), 422,
                Set.of("to[0]", "bcc[1]"));
    }

    @Test
    void anotherUsersSuppressionDoesNotApply() {
        String suppressing = userWithIdentity();
        suppress(suppressing, "bob@example.org");
        String user = userWithIdentity();
        int before = relayed();

        ApiAnswer answer = send(user, json("to", List.of("bob@example.org"), "subject", "Hello", "text", "Hi"));

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("SENT", answer.body().get("status").asText());
        assertEquals(List.of("bob@example.org"), lastRelayed(before).recipients());
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        return user;
    }
}
