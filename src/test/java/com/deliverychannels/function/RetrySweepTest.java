package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.useSmtp;
import static com.deliverychannels.function.StoredItems.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.config.RetryConfig;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.FaultyDeliveryStore;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.RetryFunctionProfile;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The {@code retry} function end to end (CONTRACT §3 {@code retry}): an EventBridge scheduled event, posted as
 * Lambda would deliver it, sends every delivery whose retry is due on the user's channel as it is now, and
 * answers what it did. Deliveries are seeded through the real store as the send function leaves them; the
 * table is shared with other tests, whose leftovers may be due too, so each test checks its own deliveries.
 */
@QuarkusTest
@TestProfile(RetryFunctionProfile.class)
class RetrySweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEDULED_EVENT = "events/eventbridge/scheduled.json";
    private static final String ADDRESS = "alice@example.com";
    private static final String SMTP_USERNAME = "alice@example.com";
    private static final String SMTP_PASSWORD = "s3cret-Sm7p-pa55";
    private static final String TRANSIENT = "451 4.3.0 scripted: try again later";

    @Inject
    DeliveryStore deliveries;

    @Inject
    FailedDeliveryStore failedDeliveries;

    @Inject
    RetryConfig retryConfig;

    @Test
    void aScheduledEventSendsEveryDueDeliveryOnceThroughOurRelay() {
        String user = userWithIdentity();
        List<Delivery> seeded = IntStream.range(0, 6)
                .mapToObj(i -> seed(delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(30 + i))))
                .toList();

        JsonNode answer = sweep();

        assertEquals(Set.of("claimed", "sent", "rescheduled", "failed"), fieldNames(answer), answer.toString());
        assertTrue(answer.get("claimed").asInt() >= seeded.size(), answer.toString());
        assertTrue(answer.get("sent").asInt() >= seeded.size(), answer.toString());
        assertEquals(answer.get("claimed").asInt(), answer.get("sent").asInt() + answer.get("rescheduled").asInt()
                + answer.get("failed").asInt(), "every claimed delivery has one outcome: " + answer);
        for (Delivery before : seeded) {
            Delivery after = stored(before);
            assertEquals(DeliveryStatus.SENT, after.status(), after.toString());
            assertEquals(2, after.attempts());
            assertNull(after.nextAttemptAt());
            assertEquals(ChannelType.MSC, after.channel());
            assertFalse(after.hasContent(), "the content is dropped once sent");
            assertEquals("SENT", lastEvent(after).type());
            assertNull(deliveryItem(before.deliveryId()).get("gsi1pk"), "no longer due");

            List<ReceivedMessage> copies = relayed(before.deliveryId());
            assertEquals(1, copies.size(), "one copy of " + before.deliveryId());
            ReceivedMessage message = copies.get(0);
            assertEquals(before.subject(), message.header("Subject"));
            assertEquals("bounces@mail.delivery-channels.local", message.envelopeFrom());
            assertEquals(before.recipients(), message.recipients());
            assertTrue(message.header("From").contains(ADDRESS), message.header("From"));
        }
    }

    @Test
    void aSweepWithLessThanAPageDueAsksTheIndexOnce() {
        String user = userWithIdentity();
        List<Delivery> seeded = IntStream.range(0, 3)
                .mapToObj(i -> seed(delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(5 + i))))
                .toList();
        FaultyDeliveryStore.reset();

        JsonNode answer = sweep();

        assertTrue(answer.get("sent").asInt() >= seeded.size(), answer.toString());
        // Every index partition answered all it had: asking again would cost four more queries for nothing.
        assertEquals(1, FaultyDeliveryStore.dueQueries(), answer.toString());
        seeded.forEach(before -> assertEquals(DeliveryStatus.SENT, stored(before).status()));
    }

    @Test
    void aBatchReadOfMoreIdsThanOneCallTakesIsRefused() {
        List<String> ids = IntStream.rangeClosed(0, DeliveryStore.MAX_FIND_ALL)
                .mapToObj(i -> SortableId.at(Instant.now())).toList();

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> deliveries.findAll(ids));

        assertTrue(refused.getMessage().contains(Integer.toString(DeliveryStore.MAX_FIND_ALL)), refused.getMessage());
        assertEquals(Map.of(), deliveries.findAll(ids.subList(0, DeliveryStore.MAX_FIND_ALL)), "none of them exists");
    }

    @Test
    void aDeliveryDueLaterIsNotTouched() {
        String user = userWithIdentity();
        Delivery later = seed(delivery(user, ChannelType.MSC, 1, Instant.now().plus(Duration.ofHours(1))));
        Delivery due = seed(delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(5)));

        sweep();

        assertEquals(later, stored(later), "a delivery due in an hour stays as it was");
        assertEquals(List.of(), relayed(later.deliveryId()));
        assertEquals(DeliveryStatus.SENT, stored(due).status(), "the sweep did run");
    }

    @Test
    void aClaimLeftByACrashedSweepComesBackWhenItsLeaseEnds() throws InterruptedException {
        String user = userWithIdentity();
        Instant leaseEnds = Instant.now().plusSeconds(3);
        // As a sweep leaves a delivery it claimed (next attempt a lease ahead, one version on) and then died.
        Delivery claimed = seed(delivery(user, ChannelType.MSC, 1, leaseEnds, 2));

        sweep();

        assertEquals(claimed, stored(claimed), "a delivery under another sweep's lease is left alone");
        assertEquals(List.of(), relayed(claimed.deliveryId()));

        while (!Instant.now().isAfter(leaseEnds.plusMillis(50))) {
            Thread.sleep(100);
        }
        sweep();

        Delivery after = stored(claimed);
        assertEquals(DeliveryStatus.SENT, after.status(), after.toString());
        assertEquals(2, after.attempts());
        assertEquals(1, relayed(claimed.deliveryId()).size());
    }

    @Test
    void aTransientReplyReschedulesTheDeliveryAndKeepsItsContent() {
        try (ScriptedSmtpServer server = replyingToRecipients(TRANSIENT)) {
            String user = userOnSmtp(server.host(), server.port());
            Delivery before = seed(delivery(user, ChannelType.SMTP, 1, Instant.now().minusSeconds(10)));
            Instant sweptAt = Instant.now();

            JsonNode answer = sweep();

            assertTrue(answer.get("rescheduled").asInt() >= 1, answer.toString());
            Delivery after = stored(before);
            assertEquals(DeliveryStatus.RETRY_SCHEDULED, after.status(), after.toString());
            assertEquals(2, after.attempts(), "one more attempt counted");
            assertNotNull(after.nextAttemptAt());
            assertTrue(after.nextAttemptAt().isAfter(sweptAt), "next attempt " + after.nextAttemptAt()
                    + " is later than the sweep at " + sweptAt);
            assertEquals(TRANSIENT, after.lastError());
            assertEquals(before.text(), after.text(), "the content is kept for the next attempt");
            assertEquals(before.html(), after.html(), "the content is kept for the next attempt");
            assertEquals("RETRY_SCHEDULED", lastEvent(after).type());
            assertNotNull(deliveryItem(before.deliveryId()).get("gsi1pk"), "the sweep's index finds it again");
            assertTrue(server.commands().contains("RCPT"), server.commands().toString());
            assertFalse(server.commands().contains("DATA"), server.commands().toString());
            assertEquals(List.of(), failedDeliveries.page(user, 100, Optional.empty()).items(),
                    "no failed delivery while a retry is scheduled");
        }
    }

    @Test
    void theLastAllowedAttemptFailingFailsTheDeliveryWithARecordPerRecipient() {
        int maxAttempts = retryConfig.maxAttempts();
        try (ScriptedSmtpServer server = replyingToRecipients(TRANSIENT)) {
            String user = userOnSmtp(server.host(), server.port());
            Delivery before = seed(delivery(user, ChannelType.SMTP, maxAttempts - 1, Instant.now().minusSeconds(10)));

            JsonNode answer = sweep();

            assertTrue(answer.get("failed").asInt() >= 1, answer.toString());
            Delivery after = stored(before);
            assertEquals(DeliveryStatus.FAILED, after.status(), after.toString());
            assertEquals(maxAttempts, after.attempts());
            assertNull(after.nextAttemptAt());
            assertEquals(TRANSIENT, after.lastError());
            assertEquals("FAILED", lastEvent(after).type());
            assertNull(deliveryItem(before.deliveryId()).get("gsi1pk"), "no retry is due any more");

            List<FailedDelivery> failures = failedDeliveries.page(user, 100, Optional.empty()).items();
            assertEquals(Set.copyOf(before.recipients()),
                    failures.stream().map(FailedDelivery::recipient).collect(Collectors.toSet()));
            assertEquals(before.recipients().size(), failures.size(), "one record per recipient");
            for (FailedDelivery failure : failures) {
                assertEquals(before.deliveryId(), failure.deliveryId());
                assertEquals(FailureReason.SEND_FAILED, failure.reason());
                assertEquals(ChannelType.SMTP, failure.channel());
                assertEquals(before.subject(), failure.subject());
                assertEquals(TRANSIENT, failure.diagnostic());
                assertEquals(RetryState.EXHAUSTED, failure.retry().state());
                assertEquals(maxAttempts, failure.retry().attempts());
                assertNull(failure.retry().nextAttemptAt());
            }
        }
    }

    @Test
    void aRetryGoesOutOnTheChannelTheUserHasNow() {
        try (TestSmtpServer server = TestSmtpServer.startTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            String user = userWithIdentity();
            // Accepted while the user was on MSC; the first attempt failed.
            Delivery before = seed(delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10)));
            useSmtp(user, server.host(), server.port(), "STARTTLS", SMTP_USERNAME, SMTP_PASSWORD, "PLAIN");

            sweep();

            Delivery after = stored(before);
            assertEquals(DeliveryStatus.SENT, after.status(), after.toString());
            assertEquals(ChannelType.SMTP, after.channel());
            assertFalse(after.viaTag(), "the user's own server: no via tag");
            assertFalse(after.bounceTracking());
            List<ReceivedMessage> received = server.messages();
            assertEquals(1, received.size(), "one copy through the user's server");
            assertEquals(before.subject(), received.get(0).header("Subject"));
            assertEquals(before.recipients(), received.get(0).recipients());
            assertTrue(received.get(0).header("From").contains(ADDRESS), received.get(0).header("From"));
            assertEquals(List.of(), relayed(before.deliveryId()), "nothing through our relay");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"source\":\"aws.s3\"}",
            "{}",
            "{\"version\":\"0\",\"id\":\"7bf73129-1428-4cd3-a780-95db273d1602\",\"detail-type\":\"Object Created\","
                    + "\"source\":\"aws.events\",\"account\":\"123456789012\",\"time\":\"2026-05-04T09:15:00Z\","
                    + "\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{}}" })
    void anEventThatIsNotAScheduledEventIsAnErrorAndSendsNothing(String event) {
        String user = userWithIdentity();
        Delivery due = seed(delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10)));

        Response response = given().contentType("application/json").body(event).when().post("/");

        // The function fails the invocation: the mock event server answers as the Lambda Runtime API reports an
        // invocation error (500, errorType and errorMessage), which EventBridge sees as a failed target.
        String body = response.asString();
        assertEquals(500, response.statusCode(), body);
        JsonNode error = readJson(body);
        assertTrue(error.hasNonNull("errorType"), body);
        assertTrue(error.path("errorMessage").asText().contains("scheduled events"), body);
        assertFalse(error.has("claimed"), body);
        assertEquals(due, stored(due), "nothing was claimed");
        assertEquals(List.of(), relayed(due.deliveryId()), "nothing was sent");

        sweep(); // a real schedule sends it: it was due all along
        assertEquals(DeliveryStatus.SENT, stored(due).status());
    }

    /** Posts the EventBridge fixture to the function, as Lambda invokes it on the schedule, and reads its answer. */
    private static JsonNode sweep() {
        String raw = given().contentType("application/json").body(ApiEvents.fixture(SCHEDULED_EVENT).toString())
                .when().post("/").then().statusCode(200).extract().asString();
        return readJson(raw);
    }

    private static JsonNode readJson(String raw) {
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + raw, e);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private Delivery seed(Delivery delivery) {
        assertTrue(deliveries.create(delivery, Optional.empty()));
        return delivery;
    }

    private Delivery stored(Delivery delivery) {
        return deliveries.find(delivery.deliveryId()).orElseThrow();
    }

    /** The copies of a delivery our relay received. */
    private static List<ReceivedMessage> relayed(String deliveryId) {
        return MscRelayResource.relay().messages().stream()
                .filter(message -> deliveryId.equals(message.header("X-Delivery-Id")))
                .toList();
    }

    private static DeliveryEvent lastEvent(Delivery delivery) {
        return delivery.events().get(delivery.events().size() - 1);
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

    /** A server that takes the sender and answers every recipient with {@code reply}. */
    private static ScriptedSmtpServer replyingToRecipients(String reply) {
        return ScriptedSmtpServer.upToAuthentication()
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", reply)
                .start();
    }

    static Delivery delivery(String user, ChannelType channel, int attempts, Instant nextAttemptAt) {
        return delivery(user, channel, attempts, nextAttemptAt, 1);
    }

    /** {@link DeliveryFixtures#retryScheduled} from the user's default identity. */
    static Delivery delivery(String user, ChannelType channel, int attempts, Instant nextAttemptAt, long version) {
        String identityId = Arc.container().instance(ChannelStore.class).get().settings(user).defaultIdentityId();
        return DeliveryFixtures.retryScheduled(user, identityId, ADDRESS, channel, attempts, nextAttemptAt, version);
    }
}
