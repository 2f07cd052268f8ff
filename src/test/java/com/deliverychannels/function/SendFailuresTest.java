package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.send;
import static com.deliverychannels.function.SendFixtures.useSmtp;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.SmtpStatus;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a user sees when their own SMTP server fails the transaction (CONTRACT §3 {@code retry}): a reply
 * that asks us to come back later schedules a retry and keeps the content for it; a refusal fails the
 * delivery at once, drops the content and records one failed delivery per recipient; refused credentials
 * also mark the SMTP channel AUTH_FAILED. The password never appears in any answer.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendFailuresTest {
    private static final String USERNAME = "alice@example.com";
    private static final String PASSWORD = "s3cret-Sm7p-pa55";
    private static final String BODY = json("to", List.of("bob@example.org"), "cc", List.of("carol@example.org"),
            "subject", "Quarterly pricing", "text", "Hi Bob", "html", "<p>Hi Bob</p>");

    @Inject
    FailedDeliveryStore failedDeliveries;

    @Inject
    ChannelStore channels;

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("transientReplies")
    void aTransientReplySchedulesARetryAndKeepsTheContent(int code, String command) {
        String reply = code + " 4.3.0 scripted: try again later (" + command + ")";
        try (ScriptedSmtpServer server = replyingTo(command, reply)) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);
            Instant before = Instant.now();

            ApiAnswer answer = send(user, BODY);

            JsonNode delivery = assertRetryScheduled(user, answer, before);
            assertEquals(reply, delivery.get("lastError").asText(), "the server's reply, as it said it");
            List<String> stages = List.of("MAIL", "RCPT", "DATA");
            assertTrue(server.commands().contains(command), server.commands().toString());
            stages.subList(stages.indexOf(command) + 1, stages.size()).forEach(later ->
                    assertFalse(server.commands().contains(later), "nothing past the refused command: "
                            + server.commands()));
        }
    }

    static Stream<Arguments> transientReplies() {
        return Stream.of(421, 450, 451, 452, 454)
                .flatMap(code -> Stream.of("MAIL", "RCPT", "DATA").map(command -> Arguments.of(code, command)));
    }

    @Test
    void aRefusedRecipientFailsTheDeliveryAtOnce() {
        String reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown";
        try (ScriptedSmtpServer server = replyingTo("RCPT", reply)) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            ApiAnswer answer = send(user, BODY);

            JsonNode delivery = assertFailed(user, answer, reply);
            assertEquals(reply, delivery.get("lastError").asText());
            List<FailedDelivery> failures = failedDeliveries.page(user, 100, Optional.empty()).items();
            assertEquals(Set.of("bob@example.org", "carol@example.org"),
                    failures.stream().map(FailedDelivery::recipient).collect(Collectors.toSet()),
                    "one failed delivery per recipient");
            for (FailedDelivery failure : failures) {
                assertEquals(delivery.get("deliveryId").asText(), failure.deliveryId());
                assertEquals(FailureReason.SEND_FAILED, failure.reason());
                assertEquals(ChannelType.SMTP, failure.channel());
                assertEquals("Quarterly pricing", failure.subject());
                assertEquals(reply, failure.diagnostic());
                assertEquals(RetryState.NOT_RETRYABLE, failure.retry().state());
                assertEquals(1, failure.retry().attempts());
                assertNull(failure.retry().nextAttemptAt());
                assertNull(failure.bounceType());
            }
        }
    }

    @Test
    void aFailedDeliveryKeepsItsContentForARetryByHandThenExpires() {
        // CONTRACT §3 keeps the content at least until a delivery is finally FAILED; we keep it 30 days longer
        // so that POST /v1/messages/{id}/retry can send it again, and let the record expire then (README).
        try (ScriptedSmtpServer server = replyingTo("RCPT", "550 5.1.1 User unknown")) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            ApiAnswer answer = send(user, BODY);

            assertEquals("FAILED", answer.body().get("status").asText(), answer.rawBody());
            Map<String, AttributeValue> stored = deliveryItem(answer.body().get("deliveryId").asText());
            assertNotNull(stored.get("text"), "kept for a retry by hand");
            long expiresAt = Long.parseLong(stored.get("expiresAt").n());
            long thirtyDays = java.time.Instant.now().plus(java.time.Duration.ofDays(30)).getEpochSecond();
            assertTrue(Math.abs(expiresAt - thirtyDays) < 120, "the failed record expires 30 days on: " + expiresAt);
            assertNull(stored.get("gsi1pk"), "no longer waiting for the retry sweep");
        }
    }

    @Test
    void aPermanentReplyToTheMessageFailsTheDelivery() {
        String reply = "554 5.7.1 scripted: message refused as spam";
        try (ScriptedSmtpServer server = replyingTo("DATA", reply)) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            assertFailed(user, send(user, BODY), reply);
            assertEquals(2, failedDeliveries.page(user, 100, Optional.empty()).items().size());
        }
    }

    @Test
    void refusedCredentialsFailTheDeliveryAndMarkTheChannel() {
        try (TestSmtpServer server = TestSmtpServer.startTls(USERNAME, "the-right-password")) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            ApiAnswer answer = send(user, BODY);

            assertFailed(user, answer, null);
            assertEquals(SmtpStatus.AUTH_FAILED, channels.settings(user).smtp().status());
            assertEquals(List.of(), server.messages());
            assertEquals(List.of(false), server.authAttempts().stream().map(TestSmtpServer.AuthAttempt::succeeded)
                    .toList(), "one attempt, refused");
            List<FailedDelivery> failures = failedDeliveries.page(user, 100, Optional.empty()).items();
            assertEquals(2, failures.size());
            failures.forEach(failure -> assertEquals(RetryState.NOT_RETRYABLE, failure.retry().state()));
            failures.forEach(failure -> assertFalse(failure.diagnostic().contains(PASSWORD), failure.diagnostic()));
        }
    }

    @Test
    void aServerThatRepeatsThePasswordNeverGetsItIntoAnAnswer() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250-STARTTLS", "250 AUTH PLAIN LOGIN")
                .onStartTls()
                .on("AUTH", "535 5.7.8 password " + PASSWORD + " is not accepted")
                .start()) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            ApiAnswer answer = send(user, BODY);

            JsonNode delivery = assertFailed(user, answer, "535 5.7.8");
            assertTrue(delivery.get("lastError").asText().contains("[redacted]"), delivery.get("lastError").asText());
            assertEquals(SmtpStatus.AUTH_FAILED, channels.settings(user).smtp().status());
            failedDeliveries.page(user, 100, Optional.empty()).items()
                    .forEach(failure -> assertFalse(failure.diagnostic().contains(PASSWORD), failure.diagnostic()));
        }
    }

    @Test
    void aServerWithoutStartTlsFailsTheDeliveryWithoutSeeingThePassword() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.greeting("220 scripted ESMTP")
                .on("EHLO", "250-scripted", "250 AUTH PLAIN LOGIN")
                .on("AUTH", "235 2.7.0 Authentication successful")
                .start()) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);

            ApiAnswer answer = send(user, BODY);

            // Settings the server cannot honour: no later attempt can succeed until the user changes them.
            assertFailed(user, answer, "STARTTLS");
            assertFalse(server.commands().contains("AUTH"), "the password is never sent in clear text: "
                    + server.commands());
            assertEquals(SmtpStatus.UNVERIFIED, channels.settings(user).smtp().status(), "the password is not at fault");
            failedDeliveries.page(user, 100, Optional.empty()).items()
                    .forEach(failure -> assertEquals(RetryState.NOT_RETRYABLE, failure.retry().state()));
        }
    }

    @Test
    void aServerThatIsNotListeningSchedulesARetry() {
        int port = ScriptedSmtpServer.closedPort();
        String user = userOnSmtp("127.0.0.1", port, PASSWORD);
        Instant before = Instant.now();

        ApiAnswer answer = send(user, BODY);

        JsonNode delivery = assertRetryScheduled(user, answer, before);
        assertFalse(delivery.get("lastError").asText().isBlank());
    }

    @Test
    void aServerThatHangsUpDuringTheMessageSchedulesARetry() {
        // The server reads the whole message and closes the connection instead of answering the final ".": the
        // message was not accepted. (It reads every line first so that it closes cleanly; closing with unread
        // data makes the kernel reset the connection, which the Vert.x client only notices at our time-out.)
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication()
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", "250 2.1.5 OK")
                .on("DATA", "354 go ahead")
                .hangUpOn(".")
                .on("", line -> List.of()) // the message's lines get no reply, as in a real DATA phase
                .start()) {
            String user = userOnSmtp(server.host(), server.port(), PASSWORD);
            Instant before = Instant.now();

            ApiAnswer answer = send(user, BODY);

            assertRetryScheduled(user, answer, before);
            assertTrue(server.commands().contains("DATA"), server.commands().toString());
        }
    }

    /** 201 RETRY_SCHEDULED after one attempt, readable as such, content kept and indexed for the sweep. */
    private JsonNode assertRetryScheduled(String user, ApiAnswer answer, Instant before) {
        assertEquals(201, answer.status(), answer.rawBody());
        JsonNode delivery = answer.body();
        assertEquals("RETRY_SCHEDULED", delivery.get("status").asText(), answer.rawBody());
        assertEquals("SMTP", delivery.get("channel").asText());
        assertEquals(1, delivery.get("attempts").asInt());
        Instant next = Instant.parse(delivery.get("nextAttemptAt").asText());
        assertTrue(next.isAfter(before), "next attempt " + next + " is in the future");
        assertNotNull(delivery.get("lastError"), answer.rawBody());
        assertEquals(List.of("ACCEPTED", "RETRY_SCHEDULED"), SendFixtures.eventTypes(delivery));
        assertFalse(answer.rawBody().contains(PASSWORD));
        assertEquals(List.of(), failedDeliveries.page(user, 100, Optional.empty()).items(),
                "no failed delivery while a retry is scheduled");

        Map<String, AttributeValue> stored = deliveryItem(delivery.get("deliveryId").asText());
        assertEquals("RETRY_SCHEDULED", stored.get("status").s());
        assertEquals("Hi Bob", stored.get("text").s(), "the content is kept for the retry");
        assertEquals("<p>Hi Bob</p>", stored.get("html").s(), "the content is kept for the retry");
        assertNotNull(stored.get("gsi1pk"), "the retry sweep's index finds it");

        ApiAnswer read = ApiEvents.get("/v1/messages/" + delivery.get("deliveryId").asText()).as(user).send();
        assertEquals(200, read.status(), read.rawBody());
        assertEquals("RETRY_SCHEDULED", read.body().get("status").asText());
        assertEquals(delivery.get("nextAttemptAt").asText(), read.body().get("nextAttemptAt").asText());
        assertFalse(read.rawBody().contains(PASSWORD));
        return delivery;
    }

    /** 201 FAILED after one attempt, with the server's words, content dropped and out of the sweep's index. */
    private JsonNode assertFailed(String user, ApiAnswer answer, String expectedInError) {
        assertEquals(201, answer.status(), answer.rawBody());
        JsonNode delivery = answer.body();
        assertEquals("FAILED", delivery.get("status").asText(), answer.rawBody());
        assertEquals(1, delivery.get("attempts").asInt());
        assertNull(delivery.get("nextAttemptAt"), answer.rawBody());
        String lastError = delivery.get("lastError").asText();
        if (expectedInError != null) {
            assertTrue(lastError.contains(expectedInError), lastError);
        }
        assertEquals(List.of("ACCEPTED", "FAILED"), SendFixtures.eventTypes(delivery));
        assertFalse(answer.rawBody().contains(PASSWORD), answer.rawBody());

        Map<String, AttributeValue> stored = deliveryItem(delivery.get("deliveryId").asText());
        assertEquals("FAILED", stored.get("status").s());
        assertNull(stored.get("gsi1pk"), "no retry is due");

        ApiAnswer read = ApiEvents.get("/v1/messages/" + delivery.get("deliveryId").asText()).as(user).send();
        assertEquals("FAILED", read.body().get("status").asText());
        assertFalse(read.rawBody().contains(PASSWORD), read.rawBody());
        return delivery;
    }

    /** A user with an identity whose active channel is SMTP at {@code host:port} (STARTTLS, AUTH PLAIN). */
    private static String userOnSmtp(String host, int port, String password) {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        useSmtp(user, host, port, "STARTTLS", USERNAME, password, "PLAIN");
        return user;
    }

    /** A server that accepts everything up to {@code command} and answers it {@code reply}. */
    private static ScriptedSmtpServer replyingTo(String command, String reply) {
        ScriptedSmtpServer.Script script = ScriptedSmtpServer.upToAuthentication();
        for (String step : List.of("MAIL", "RCPT", "DATA")) {
            if (step.equals(command)) {
                return script.on(step, reply).start();
            }
            script.on(step, step.equals("MAIL") ? "250 2.1.0 OK" : "250 2.1.5 OK");
        }
        throw new IllegalArgumentException(command);
    }

}
