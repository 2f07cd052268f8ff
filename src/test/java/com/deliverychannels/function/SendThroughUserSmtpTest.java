package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.relayed;
import static com.deliverychannels.function.SendFixtures.send;
import static com.deliverychannels.function.SendFixtures.useSmtp;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.Header;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.AuthAttempt;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The SMTP channel: the message leaves through the user's own server, as the user's identity, with nothing of
 * ours on it (no envelope sender, no SES headers, no Message-ID of our domain).
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendThroughUserSmtpTest {
    private static final String USERNAME = "alice@example.com";
    private static final String PASSWORD = "s3cret-Sm7p-pa55";

    @ParameterizedTest(name = "{0} with AUTH {1}")
    @CsvSource({"STARTTLS, PLAIN", "STARTTLS, LOGIN", "TLS, PLAIN", "TLS, LOGIN"})
    void sendsThroughTheUsersServerAsTheIdentity(String security, String authMethod) throws Exception {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        try (TestSmtpServer server = security.equals("TLS") ? TestSmtpServer.implicitTls(USERNAME, PASSWORD)
                : TestSmtpServer.startTls(USERNAME, PASSWORD)) {
            useSmtp(user, server.host(), server.port(), security, USERNAME, PASSWORD, authMethod);
            int relayedBefore = relayed();

            ApiAnswer answer = send(user, json("to", List.of("bob@example.org"), "cc", List.of("carol@example.org"),
                    "bcc", List.of("dan@example.org"), "replyTo", "sales@example.com",
                    "subject", "Hello Bob", "text", "Hi Bob", "html", "<p>Hi Bob</p>"));

            assertEquals(201, answer.status(), answer.rawBody());
            assertEquals("SENT", answer.body().get("status").asText());
            assertEquals("SMTP", answer.body().get("channel").asText());
            assertEquals("alice@example.com", answer.body().get("from").asText());
            assertFalse(answer.body().get("viaTag").asBoolean());
            assertFalse(answer.body().get("bounceTracking").asBoolean());
            assertEquals(1, answer.body().get("attempts").asInt());
            assertFalse(answer.rawBody().contains(PASSWORD));

            ReceivedMessage message = server.awaitMessages(1, Duration.ofSeconds(10)).get(0);
            assertEquals("alice@example.com", message.envelopeFrom(), "the envelope sender is the user's, not ours");
            assertEquals(List.of("bob@example.org", "carol@example.org", "dan@example.org"), message.recipients());
            assertNull(message.header("Bcc"), "Bcc recipients are in the envelope only");
            assertFalse(new String(message.raw(), java.nio.charset.StandardCharsets.UTF_8).contains("dan@example.org"),
                    "no header names the Bcc recipient");
            assertEquals("sales@example.com", message.header("Reply-To"));
            assertTrue(message.header("From").contains("<alice@example.com>"), message.header("From"));
            assertTrue(message.header("From").contains("Alice Martin"), message.header("From"));
            assertEquals("Hello Bob", message.mime().getSubject());
            assertEquals(List.of(), headersOfOurs(message));
            assertFalse(message.header("Message-ID").contains("delivery-channels"), message.header("Message-ID"));

            AuthAttempt auth = server.authAttempts().get(server.authAttempts().size() - 1);
            assertEquals(new AuthAttempt(authMethod, USERNAME, true), auth);
            assertEquals(relayedBefore, relayed(), "nothing goes through our relay");

            Map<String, AttributeValue> stored = deliveryItem(answer.body().get("deliveryId").asText());
            assertEquals("SENT", stored.get("status").s());
            assertNull(stored.get("text"), "the content is dropped once sent");
            assertNull(stored.get("html"), "the content is dropped once sent");

            ApiAnswer read = ApiEvents.get("/v1/messages/" + answer.body().get("deliveryId").asText()).as(user).send();
            assertEquals(200, read.status(), read.rawBody());
            assertEquals("SENT", read.body().get("status").asText());
            assertEquals("SMTP", read.body().get("channel").asText());
        }
    }

    /** Headers that would tie the message to our relay or SES. */
    private static List<String> headersOfOurs(ReceivedMessage message) throws Exception {
        List<String> ours = new ArrayList<>();
        for (Header header : Collections.list(message.mime().getAllHeaders())) {
            String name = header.getName().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-ses-") || name.equals("x-delivery-id")) {
                ours.add(header.getName());
            }
        }
        return ours;
    }
}
