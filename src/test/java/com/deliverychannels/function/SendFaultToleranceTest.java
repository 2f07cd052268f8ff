package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelsRoutingTest.assertNoInternals;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.SendFixtures.assertNothingWrittenFor;
import static com.deliverychannels.function.SendFixtures.deliveriesOf;
import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.eventTypes;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.useSmtp;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelService;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.delivery.RetrySweep;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.FaultyDeliveryStore;
import com.deliverychannels.testing.GoogleTokenEndpoint;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Faults injected into the real send path (CONTRACT §3 {@code send} and {@code retry}; README "What a crash at
 * each point leads to"): DynamoDB throttled or unreachable at each write of a send ({@link FaultyDeliveryStore}),
 * the process dying on either side of the SMTP transaction, the user's SMTP server down, answering 4xx or 5xx or
 * hanging up mid-message, Google's token endpoint down or refusing the grant. For each: what the user is
 * answered, what the table holds, and how many copies the recipients' server received (at least once, never
 * lost once accepted, and a second copy only in the one documented window).
 *
 * <p>"When the lease ends" is played by moving the delivery's next attempt into the past through the real
 * store, as the passing of its two minutes would; the retry sweep is the real one, called as its function calls
 * it. The sweep also sees other tests' leftovers in the shared table, so every count is of this test's message.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendFaultToleranceTest {
    private static final String ADDRESS = "alice@example.com";
    private static final String SMTP_USERNAME = "alice@example.com";
    private static final String SMTP_PASSWORD = "s3cret-Sm7p-pa55";
    private static final String GMAIL_ADDRESS = "alice.martin@gmail.com";
    private static final String REDIRECT_URI = "https://app.example.com/oauth/google/callback";
    /** The lease a new delivery is written with (README "Sending", step 2). */
    private static final Duration SEND_LEASE = Duration.ofMinutes(2);

    @Inject
    DeliveryStore deliveries;

    @Inject
    FailedDeliveryStore failedDeliveries;

    @Inject
    ChannelStore channels;

    @Inject
    ChannelService channelService;

    @Inject
    RetrySweep sweep;

    @AfterEach
    void clearFaults() {
        FaultyDeliveryStore.reset();
    }

    // -------------------------------------------------------------------------------------------------------
    // DynamoDB unavailable at the first write
    // -------------------------------------------------------------------------------------------------------

    @Test
    void storeUnavailableAtTheFirstWriteIsA503ThatSendsNothingAndTheSameKeySendsOnceLater() {
        String user = userWithIdentity();
        String subject = subject();
        String key = "fault-" + UUID.randomUUID();
        FaultyDeliveryStore.failCreates(user);

        ApiAnswer refused = send(user, body(subject), key);

        assertUnavailable(refused);
        assertEquals(1, FaultyDeliveryStore.injected(), "the fault was raised at the delivery's write");
        assertEquals(0, relayedWithSubject(subject), "nothing is sent before the delivery is written");
        assertNothingWrittenFor(user);

        FaultyDeliveryStore.reset();
        ApiAnswer again = send(user, body(subject), key);

        assertEquals(201, again.status(), again.rawBody());
        assertEquals("SENT", again.body().get("status").asText(), again.rawBody());
        String deliveryId = again.body().get("deliveryId").asText();
        assertEquals(1, relayed(deliveryId).size(), "one copy");
        assertEquals(1, relayedWithSubject(subject), "one copy in all, the refused request's included");
        assertEquals(1, deliveriesOf(user).size());

        ApiAnswer repeated = send(user, body(subject), key);
        assertEquals(deliveryId, repeated.body().get("deliveryId").asText(), repeated.rawBody());
        assertEquals(1, relayedWithSubject(subject), "the key answers the delivery without sending again");
    }

    // -------------------------------------------------------------------------------------------------------
    // DynamoDB unavailable at the outcome write, after the server's 250
    // -------------------------------------------------------------------------------------------------------

    @Test
    void storeUnavailableAtTheOutcomeWriteIsA503AndTheSweepSendsTheOneDuplicateWhenTheLeaseEnds() {
        String user = userWithIdentity();
        String subject = subject();
        String key = "fault-" + UUID.randomUUID();
        FaultyDeliveryStore.failNextUpdate(user);
        Instant before = Instant.now();

        ApiAnswer answer = send(user, body(subject), key);

        Instant after = Instant.now();
        assertUnavailable(answer);
        assertEquals(1, FaultyDeliveryStore.injected(), "the fault was raised at the outcome write");
        String deliveryId = onlyDeliveryOf(user);
        assertEquals(1, relayed(deliveryId).size(), "the relay took the message before the write failed");

        Delivery held = stored(deliveryId);
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, held.status(), held.toString());
        assertBetween(before.plus(SEND_LEASE), after.plus(SEND_LEASE), held.nextAttemptAt(),
                "the delivery keeps the lease it was written with");
        assertEquals("Hi Bob", held.text(), "the content is kept for the sweep");
        assertEquals("<p>Hi Bob</p>", held.html(), "the content is kept for the sweep");
        assertEquals(0, held.attempts(), "no outcome was recorded");
        assertNotNull(deliveryItem(deliveryId).get("gsi1pk"), "the sweep's index finds it");
        assertEquals("RETRY_SCHEDULED", read(user, deliveryId).get("status").asText());

        // A repeat cannot tell a request that died from one still running: until the function's time-out has
        // passed it is told to come back; after, it gets the delivery as it stands.
        assertInFlight(send(user, body(subject), key));
        inFlightTimePasses(user, key);
        ApiAnswer repeated = send(user, body(subject), key);

        assertEquals(201, repeated.status(), repeated.rawBody());
        assertEquals(deliveryId, repeated.body().get("deliveryId").asText(), repeated.rawBody());
        assertEquals("RETRY_SCHEDULED", repeated.body().get("status").asText(), repeated.rawBody());
        assertEquals(1, relayed(deliveryId).size(), "the repeated request sends nothing");

        sweep.sweep();
        assertEquals(held, stored(deliveryId), "the sweep leaves it alone while the lease lasts");
        assertEquals(1, relayed(deliveryId).size());

        leaseEnds(deliveryId);
        sweep.sweep();

        assertEquals(2, relayed(deliveryId).size(), "sent a second time: the documented duplicate window");
        assertEquals(2, relayedWithSubject(subject));
        Delivery sent = stored(deliveryId);
        assertEquals(DeliveryStatus.SENT, sent.status(), sent.toString());
        assertFalse(sent.hasContent(), "the content is dropped once sent");
        assertNull(deliveryItem(deliveryId).get("gsi1pk"), "nothing left for the sweep");
        assertEquals("SENT", read(user, deliveryId).get("status").asText());

        sweep.sweep();
        assertEquals(2, relayed(deliveryId).size(), "never a third copy");
        assertEquals("SENT", send(user, body(subject), key).body().get("status").asText());
        assertEquals(2, relayed(deliveryId).size(), "never a third copy");
    }

    // -------------------------------------------------------------------------------------------------------
    // The process dying on either side of the SMTP transaction
    // -------------------------------------------------------------------------------------------------------

    @Test
    void processDyingAfterTheWriteBeforeTheSmtpTransactionLosesNothingAndSendsOnce() {
        String user = userWithIdentity();
        String subject = subject();
        String key = "fault-" + UUID.randomUUID();
        FaultyDeliveryStore.crashAfterCreate(user);
        Instant before = Instant.now();

        ApiAnswer answer = send(user, body(subject), key);

        Instant after = Instant.now();
        assertTrue(answer.status() >= 500, "a failed request: " + answer.status() + " " + answer.rawBody());
        assertFalse(answer.rawBody().contains("deliveryId"), answer.rawBody());
        assertEquals(1, FaultyDeliveryStore.injected());
        String deliveryId = onlyDeliveryOf(user);
        assertEquals(0, relayedWithSubject(subject), "the process died before the SMTP transaction");

        Delivery accepted = stored(deliveryId);
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, accepted.status());
        assertBetween(before.plus(SEND_LEASE), after.plus(SEND_LEASE), accepted.nextAttemptAt(), "the send's lease");
        assertTrue(accepted.hasContent());
        assertEquals("RETRY_SCHEDULED", read(user, deliveryId).get("status").asText(), "what the user sees");

        assertInFlight(send(user, body(subject), key));
        inFlightTimePasses(user, key);
        ApiAnswer repeated = send(user, body(subject), key);
        assertEquals(201, repeated.status(), repeated.rawBody());
        assertEquals(deliveryId, repeated.body().get("deliveryId").asText(), repeated.rawBody());
        assertEquals("RETRY_SCHEDULED", repeated.body().get("status").asText(), repeated.rawBody());
        assertEquals(0, relayedWithSubject(subject), "the repeated request sends nothing itself");

        sweep.sweep();
        assertEquals(accepted, stored(deliveryId), "not before the lease ends");
        assertEquals(0, relayedWithSubject(subject));

        leaseEnds(deliveryId);
        sweep.sweep();

        assertEquals(1, relayed(deliveryId).size(), "sent by the sweep, once");
        assertEquals(1, relayedWithSubject(subject));
        assertEquals(DeliveryStatus.SENT, stored(deliveryId).status());
        assertEquals(1, stored(deliveryId).attempts());
        sweep.sweep();
        assertEquals(1, relayedWithSubject(subject), "and only once");
    }

    @Test
    void processDyingAfterTheUsersServerAcceptedLosesNothingAndSendsAtMostOneDuplicate() {
        try (TestSmtpServer server = TestSmtpServer.startTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            String user = userOnSmtp(server.host(), server.port());
            String subject = subject();
            // The write after the server's 250 never happens: the process is gone (or the write failed).
            FaultyDeliveryStore.failNextUpdate(user);

            ApiAnswer answer = send(user, body(subject), null);

            assertTrue(answer.status() >= 500, answer.status() + " " + answer.rawBody());
            assertEquals(1, FaultyDeliveryStore.injected());
            String deliveryId = onlyDeliveryOf(user);
            assertEquals(1, withSubject(server, subject), "the user's server accepted the message once");
            Delivery held = stored(deliveryId);
            assertEquals(DeliveryStatus.RETRY_SCHEDULED, held.status(), held.toString());
            assertTrue(held.hasContent(), "kept: nothing says it left");
            assertEquals("RETRY_SCHEDULED", read(user, deliveryId).get("status").asText(), "what the user sees");

            sweep.sweep();
            assertEquals(1, withSubject(server, subject), "the lease holds the sweep off");

            leaseEnds(deliveryId);
            sweep.sweep();

            assertEquals(2, withSubject(server, subject), "sent a second time by the sweep, never lost");
            Delivery sent = stored(deliveryId);
            assertEquals(DeliveryStatus.SENT, sent.status(), sent.toString());
            assertEquals("SENT", read(user, deliveryId).get("status").asText());
            sweep.sweep();
            assertEquals(2, withSubject(server, subject), "never a third copy");
        }
    }

    // -------------------------------------------------------------------------------------------------------
    // The user's SMTP server failing
    // -------------------------------------------------------------------------------------------------------

    @Test
    void smtpServerDownSchedulesARetryThatTheSweepSendsOnceTheServerIsUp() {
        String user = userOnSmtp("127.0.0.1", ScriptedSmtpServer.closedPort());
        String subject = subject();
        Instant before = Instant.now();

        ApiAnswer answer = send(user, body(subject), null);

        JsonNode delivery = assertRetryScheduled(answer, before);
        String deliveryId = delivery.get("deliveryId").asText();
        assertFalse(delivery.get("lastError").asText().isBlank(), answer.rawBody());

        try (TestSmtpServer server = TestSmtpServer.startTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            useSmtp(user, server.host(), server.port(), "STARTTLS", SMTP_USERNAME, SMTP_PASSWORD, "PLAIN");
            leaseEnds(deliveryId);

            sweep.sweep();

            assertEquals(1, withSubject(server, subject), "one copy once the server is up");
            Delivery sent = stored(deliveryId);
            assertEquals(DeliveryStatus.SENT, sent.status(), sent.toString());
            assertEquals(2, sent.attempts());
            assertFalse(sent.hasContent());
            assertEquals(List.of("ACCEPTED", "RETRY_SCHEDULED", "SENT"), eventTypes(read(user, deliveryId)));
            sweep.sweep();
            assertEquals(1, withSubject(server, subject), "and only one");
        }
    }

    @Test
    void smtpTransientReplyToTheSenderSchedulesARetryAndTheSweepTriesAgain() {
        String reply = "451 4.3.0 scripted: try again later";
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication().on("MAIL", reply).start()) {
            String user = userOnSmtp(server.host(), server.port());
            Instant before = Instant.now();

            ApiAnswer answer = send(user, body(subject()), null);

            JsonNode delivery = assertRetryScheduled(answer, before);
            assertEquals(reply, delivery.get("lastError").asText());
            assertEquals(1, count(server.commands(), "MAIL"));
            assertFalse(server.commands().contains("DATA"), "the message never left: " + server.commands());

            String deliveryId = delivery.get("deliveryId").asText();
            leaseEnds(deliveryId);
            sweep.sweep();

            assertEquals(2, count(server.commands(), "MAIL"), "tried once more by the sweep: " + server.commands());
            Delivery rescheduled = stored(deliveryId);
            assertEquals(DeliveryStatus.RETRY_SCHEDULED, rescheduled.status(), rescheduled.toString());
            assertEquals(2, rescheduled.attempts());
            assertTrue(rescheduled.hasContent());
            assertEquals(List.of(), failedDeliveries.page(user, 100, Optional.empty()).items());
        }
    }

    @Test
    void smtpPermanentRefusalFailsTheDeliveryAndTheSweepNeverRetriesIt() {
        String reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown";
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication().on("MAIL", "250 2.1.0 OK").on("RCPT", reply).start()) {
            String user = userOnSmtp(server.host(), server.port());

            ApiAnswer answer = send(user, body(subject()), null);

            assertEquals(201, answer.status(), answer.rawBody());
            assertEquals("FAILED", answer.body().get("status").asText(), answer.rawBody());
            assertEquals(reply, answer.body().get("lastError").asText());
            assertFalse(answer.body().hasNonNull("nextAttemptAt"), answer.rawBody());
            String deliveryId = answer.body().get("deliveryId").asText();
            List<FailedDelivery> failures = failedDeliveries.page(user, 100, Optional.empty()).items();
            assertEquals(Set.of("bob@example.org", "carol@example.org"),
                    failures.stream().map(FailedDelivery::recipient).collect(Collectors.toSet()));
            failures.forEach(failure -> {
                assertEquals(deliveryId, failure.deliveryId());
                assertEquals(FailureReason.SEND_FAILED, failure.reason());
                assertEquals(RetryState.NOT_RETRYABLE, failure.retry().state());
            });
            assertEquals(1, count(server.commands(), "MAIL"));

            sweep.sweep();
            // Even an index entry claiming it is due (a stale one) does not make the sweep send a FAILED delivery.
            listAsDue(deliveryId);
            sweep.sweep();

            assertEquals(1, count(server.commands(), "MAIL"), "never tried again: " + server.commands());
            Delivery failed = stored(deliveryId);
            assertEquals(DeliveryStatus.FAILED, failed.status(), failed.toString());
            assertEquals(1, failed.attempts());
            assertEquals(2, failedDeliveries.page(user, 100, Optional.empty()).items().size(), "no new records");
            assertEquals("FAILED", read(user, deliveryId).get("status").asText());
        }
    }

    @Test
    void smtpServerHangingUpDuringTheMessageSchedulesARetrySentOnceAfterItRecovers() {
        String subject = subject();
        String user;
        String deliveryId;
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication()
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", "250 2.1.5 OK")
                .on("DATA", "354 go ahead")
                .hangUpOn(".")
                .on("", line -> List.of()) // the message's lines get no reply, as in a real DATA phase
                .start()) {
            user = userOnSmtp(server.host(), server.port());
            Instant before = Instant.now();

            ApiAnswer answer = send(user, body(subject), null);

            JsonNode delivery = assertRetryScheduled(answer, before);
            deliveryId = delivery.get("deliveryId").asText();
            assertTrue(server.commands().contains("DATA"), server.commands().toString());
        }
        try (TestSmtpServer recovered = TestSmtpServer.startTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            useSmtp(user, recovered.host(), recovered.port(), "STARTTLS", SMTP_USERNAME, SMTP_PASSWORD, "PLAIN");
            leaseEnds(deliveryId);

            sweep.sweep();

            assertEquals(1, withSubject(recovered, subject), "one copy after the server recovered");
            assertEquals(DeliveryStatus.SENT, stored(deliveryId).status());
            sweep.sweep();
            assertEquals(1, withSubject(recovered, subject), "and only one");
        }
    }

    // -------------------------------------------------------------------------------------------------------
    // Google's token endpoint failing a Gmail user
    // -------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "token endpoint {0}")
    @ValueSource(strings = { "503", "connection reset" })
    void tokenEndpointDownSchedulesARetryAndLeavesGmailConnected(String fault) {
        String refreshToken = "1//refresh-" + UUID.randomUUID();
        String user = userOnGmail(refreshToken);
        if (fault.equals("503")) {
            GoogleTokenEndpoint.stubRefreshStatus(refreshToken, 503);
        } else {
            GoogleTokenEndpoint.stubRefreshReset(refreshToken);
        }
        Instant before = Instant.now();

        ApiAnswer answer = send(user, body(subject()), null);

        assertEquals(201, answer.status(), answer.rawBody());
        JsonNode delivery = answer.body();
        assertEquals("RETRY_SCHEDULED", delivery.get("status").asText(), answer.rawBody());
        assertEquals("GMAIL", delivery.get("channel").asText());
        assertEquals(1, delivery.get("attempts").asInt());
        assertTrue(Instant.parse(delivery.get("nextAttemptAt").asText()).isAfter(before), answer.rawBody());
        assertTrue(delivery.get("lastError").asText().contains("Google"), answer.rawBody());
        assertFalse(answer.rawBody().contains(refreshToken), answer.rawBody());
        assertFalse(GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).isEmpty(), "Google was asked");
        assertTrue(stored(delivery.get("deliveryId").asText()).hasContent(), "kept for the retry");
        assertEquals(GmailStatus.CONNECTED, channels.settings(user).gmail().status(), "nothing for the user to fix");
        assertEquals(List.of(), failedDeliveries.page(user, 100, Optional.empty()).items());
    }

    @Test
    void revokedGrantFailsTheDeliveryAndAsksTheUserToReconnectGmail() {
        String refreshToken = "1//refresh-" + UUID.randomUUID();
        String user = userOnGmail(refreshToken);
        GoogleTokenEndpoint.stubRefreshRefused(refreshToken);

        ApiAnswer answer = send(user, body(subject()), null);

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("FAILED", answer.body().get("status").asText(), answer.rawBody());
        assertEquals("GMAIL", answer.body().get("channel").asText());
        assertFalse(answer.body().hasNonNull("nextAttemptAt"), answer.rawBody());
        assertTrue(answer.body().get("lastError").asText().contains("Google"), answer.rawBody());
        String deliveryId = answer.body().get("deliveryId").asText();
        assertEquals(GmailStatus.RECONNECT_REQUIRED, channels.settings(user).gmail().status());
        List<FailedDelivery> failures = failedDeliveries.page(user, 100, Optional.empty()).items();
        assertEquals(2, failures.size(), "one record per recipient");
        failures.forEach(failure -> assertEquals(RetryState.NOT_RETRYABLE, failure.retry().state()));
        assertNull(deliveryItem(deliveryId).get("gsi1pk"), "never retried by the sweep");

        ApiAnswer next = send(user, body(subject()), null);
        assertProblem(next, 409, "conflict");
        assertEquals(1, deliveriesOf(user).size(), "the next message is refused until Gmail is connected again");
    }

    // -------------------------------------------------------------------------------------------------------

    /** 503 problem+json with a Retry-After, no delivery in it, and nothing of the injected cause. */
    private static void assertUnavailable(ApiAnswer answer) {
        assertProblem(answer, 503, "unavailable");
        String retryAfter = answer.header("retry-after");
        assertNotNull(retryAfter, answer.headers().toString());
        assertTrue(Integer.parseInt(retryAfter) > 0, retryAfter);
        assertFalse(answer.body().has("deliveryId"), answer.rawBody());
        assertFalse(answer.rawBody().contains("injected"), answer.rawBody());
        assertNoInternals(answer);
    }

    /** 201 RETRY_SCHEDULED on SMTP after one attempt, content kept and indexed for the sweep. */
    private JsonNode assertRetryScheduled(ApiAnswer answer, Instant before) {
        assertEquals(201, answer.status(), answer.rawBody());
        JsonNode delivery = answer.body();
        assertEquals("RETRY_SCHEDULED", delivery.get("status").asText(), answer.rawBody());
        assertEquals("SMTP", delivery.get("channel").asText());
        assertEquals(1, delivery.get("attempts").asInt());
        assertTrue(Instant.parse(delivery.get("nextAttemptAt").asText()).isAfter(before), answer.rawBody());
        assertEquals(List.of("ACCEPTED", "RETRY_SCHEDULED"), eventTypes(delivery));
        String deliveryId = delivery.get("deliveryId").asText();
        Delivery stored = stored(deliveryId);
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, stored.status());
        assertEquals("Hi Bob", stored.text(), "the content is kept for the retry");
        assertNotNull(deliveryItem(deliveryId).get("gsi1pk"), "the sweep's index finds it");
        return delivery;
    }

    /**
     * Moves the delivery's next attempt into the past through the real store, as the end of its lease (or of its
     * back-off) would: the sweep may now claim it.
     */
    /** 409 with Retry-After: the first request with the key may still be running. */
    private static void assertInFlight(ApiAnswer answer) {
        assertProblem(answer, 409, "conflict");
        assertNotNull(answer.header("retry-after"), answer.headers().toString());
    }

    /** The time a request may run passes for the key's first request, as if the test had waited 30 s. */
    private static void inFlightTimePasses(String user, String key) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            client.updateItem(b -> b.tableName(DynamoDbLocalResource.TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("USER#" + user),
                            "sk", AttributeValue.fromS("IDEMPOTENCY#" + key)))
                    .updateExpression("SET inFlightUntil = :past")
                    .conditionExpression("attribute_exists(inFlightUntil)")
                    .expressionAttributeValues(Map.of(":past",
                            AttributeValue.fromS(Instant.now().minusSeconds(1).toString()))));
        }
    }

    private void leaseEnds(String deliveryId) {
        Delivery held = stored(deliveryId);
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, held.status(), held.toString());
        assertTrue(deliveries.update(held.leased(Instant.now().minusSeconds(1)), held.version(), List.of()));
    }

    /** Writes an index entry saying the delivery is due, whatever its status: a stale entry, as a lagging index. */
    private static void listAsDue(String deliveryId) {
        Instant due = Instant.now().minusSeconds(60);
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            client.updateItem(b -> b.tableName(DynamoDbLocalResource.TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("DELIVERY#" + deliveryId),
                            "sk", AttributeValue.fromS("DELIVERY")))
                    .updateExpression("SET gsi1pk = :pk, gsi1sk = :sk, nextAttemptAt = :at")
                    .expressionAttributeValues(Map.of(
                            ":pk", AttributeValue.fromS("RETRY#0"),
                            ":sk", AttributeValue.fromS(String.format("%015d", due.toEpochMilli()) + "#" + deliveryId),
                            ":at", AttributeValue.fromS(due.toString()))));
        }
    }

    private Delivery stored(String deliveryId) {
        return deliveries.find(deliveryId).orElseThrow(() -> new AssertionError("no delivery " + deliveryId));
    }

    /** The user's one delivery in the table, found without any answer naming it. */
    private static String onlyDeliveryOf(String user) {
        List<Map<String, AttributeValue>> items = deliveriesOf(user);
        assertEquals(1, items.size(), "one delivery stored");
        return items.get(0).get("deliveryId").s();
    }

    /** The delivery as {@code GET /v1/messages/{id}} shows it to its owner. */
    private static JsonNode read(String user, String deliveryId) {
        ApiAnswer read = ApiEvents.get("/v1/messages/" + deliveryId).as(user).send();
        assertEquals(200, read.status(), read.rawBody());
        return read.body();
    }

    private static ApiAnswer send(String user, String body, String idempotencyKey) {
        ApiEvents request = ApiEvents.post("/v1/messages", body).as(user);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.send();
    }

    private static String body(String subject) {
        return json("to", List.of("bob@example.org"), "cc", List.of("carol@example.org"), "subject", subject,
                "text", "Hi Bob", "html", "<p>Hi Bob</p>");
    }

    /** A subject no other test uses, so copies can be counted wherever they went. */
    private static String subject() {
        return "Fault " + UUID.randomUUID();
    }

    /** The copies of an MSC delivery our relay received. */
    private static List<ReceivedMessage> relayed(String deliveryId) {
        return MscRelayResource.relay().messages().stream()
                .filter(message -> deliveryId.equals(message.header("X-Delivery-Id")))
                .toList();
    }

    private static long relayedWithSubject(String subject) {
        return MscRelayResource.relay().messages().stream().filter(m -> subject.equals(m.header("Subject"))).count();
    }

    private static long withSubject(TestSmtpServer server, String subject) {
        return server.messages().stream().filter(m -> subject.equals(m.header("Subject"))).count();
    }

    private static long count(List<String> commands, String verb) {
        return commands.stream().filter(verb::equals).count();
    }

    private static void assertBetween(Instant from, Instant to, Instant actual, String what) {
        assertNotNull(actual, what);
        assertFalse(actual.isBefore(from.minusMillis(1)) || actual.isAfter(to.plusMillis(1)),
                what + ": " + actual + " not within [" + from + ", " + to + "]");
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", ADDRESS);
        return user;
    }

    private static String userOnSmtp(String host, int port) {
        String user = userWithIdentity();
        useSmtp(user, host, port, "STARTTLS", SMTP_USERNAME, SMTP_PASSWORD, "PLAIN");
        return user;
    }

    /** A user who connected Gmail (the code exchanged at the stub, the refresh token sealed) and chose it. */
    private String userOnGmail(String refreshToken) {
        String user = userWithIdentity();
        String code = "4/code-" + UUID.randomUUID();
        GoogleTokenEndpoint.stubCodeExchange(code, refreshToken, GMAIL_ADDRESS);
        channelService.connectGmail(user, code, REDIRECT_URI);
        channelService.activate(user, "GMAIL");
        return user;
    }

}
