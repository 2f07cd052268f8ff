package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.StoredItems.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.FaultyDeliveryStore;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.RetryFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * DynamoDB throttling during the {@code retry} function's sweep (CONTRACT §3 {@code retry}: "DynamoDB throttling"
 * is retryable; README "Retries"), injected by {@link FaultyDeliveryStore} at the claim and at the outcome write.
 * The sweep answers its schedule either way, and the delivery is neither lost nor sent more than the documented
 * once (claim throttled) or twice (outcome write throttled after the server's 250).
 */
@QuarkusTest
@TestProfile(RetryFunctionProfile.class)
class RetryFaultToleranceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEDULED_EVENT = "events/eventbridge/scheduled.json";
    /** How long a sweep's claim holds a delivery (README "Retries"). */
    private static final Duration CLAIM_LEASE = Duration.ofMinutes(2);

    @Inject
    DeliveryStore deliveries;

    @AfterEach
    void clearFaults() {
        FaultyDeliveryStore.reset();
    }

    @Test
    void throttledClaimLeavesTheDeliveryDueAndTheNextSweepSendsItOnce() {
        String user = userWithIdentity();
        Delivery due = seed(RetrySweepTest.delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10)));
        FaultyDeliveryStore.failUpdates(user);

        JsonNode answer = sweep();

        assertEquals(Set.of("claimed", "sent", "rescheduled", "failed"), fieldNames(answer), answer.toString());
        assertTrue(FaultyDeliveryStore.injected() >= 1, "the claim was throttled");
        assertEquals(due, stored(due), "nothing was written: still due, as it was");
        assertNotNull(deliveryItem(due.deliveryId()).get("gsi1pk"), "still in the sweep's index");
        assertEquals(List.of(), relayed(due.deliveryId()), "nothing sent without a claim");

        FaultyDeliveryStore.reset();
        sweep();

        assertEquals(1, relayed(due.deliveryId()).size(), "sent by the next sweep, once");
        Delivery sent = stored(due);
        assertEquals(DeliveryStatus.SENT, sent.status(), sent.toString());
        assertEquals(2, sent.attempts());
        assertFalse(sent.hasContent());
        assertNull(deliveryItem(due.deliveryId()).get("gsi1pk"));

        sweep();
        assertEquals(1, relayed(due.deliveryId()).size(), "and only once");
    }

    @Test
    void throttledBatchReadPostponesTheChunkAndTheNextSweepSendsIt() {
        String user = userWithIdentity();
        Delivery due = seed(RetrySweepTest.delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10)));
        FaultyDeliveryStore.failBatchReads();

        JsonNode answer = sweep();

        assertEquals(Set.of("claimed", "sent", "rescheduled", "failed"), fieldNames(answer), answer.toString());
        assertTrue(FaultyDeliveryStore.injected() >= 1, "the read was throttled");
        assertEquals(due, stored(due), "nothing was written: still due, as it was");
        assertEquals(List.of(), relayed(due.deliveryId()), "nothing sent without a read and a claim");

        FaultyDeliveryStore.reset();
        sweep();

        assertEquals(1, relayed(due.deliveryId()).size(), "sent by the next sweep, once");
        assertEquals(DeliveryStatus.SENT, stored(due).status());
    }

    @Test
    void throttledOutcomeWriteKeepsTheClaimUntilItsLeaseEndsThenSendsTheOneDuplicate() {
        String user = userWithIdentity();
        Delivery due = seed(RetrySweepTest.delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10)));
        // The claim goes through; the write after the relay's 250 is throttled.
        FaultyDeliveryStore.failUpdate(user, 1);
        Instant before = Instant.now();

        JsonNode answer = sweep();

        Instant after = Instant.now();
        assertEquals(Set.of("claimed", "sent", "rescheduled", "failed"), fieldNames(answer), answer.toString());
        assertEquals(1, FaultyDeliveryStore.injected(), "the outcome write was throttled");
        assertEquals(1, relayed(due.deliveryId()).size(), "the relay took the message before the write failed");
        Delivery claimed = stored(due);
        assertEquals(DeliveryStatus.RETRY_SCHEDULED, claimed.status(), claimed.toString());
        assertEquals(due.attempts(), claimed.attempts(), "no outcome was recorded");
        assertTrue(claimed.hasContent(), "the content is kept: nothing says it left");
        assertNotNull(claimed.nextAttemptAt());
        assertFalse(claimed.nextAttemptAt().isBefore(before.plus(CLAIM_LEASE))
                || claimed.nextAttemptAt().isAfter(after.plus(CLAIM_LEASE)),
                "held by the claim's lease: " + claimed.nextAttemptAt());

        FaultyDeliveryStore.reset();
        sweep();
        assertEquals(claimed, stored(due), "the next sweep leaves it alone while the lease lasts");
        assertEquals(1, relayed(due.deliveryId()).size());

        leaseEnds(claimed);
        sweep();

        assertEquals(2, relayed(due.deliveryId()).size(), "a second copy: the documented duplicate window");
        assertEquals(DeliveryStatus.SENT, stored(due).status());
        sweep();
        assertEquals(2, relayed(due.deliveryId()).size(), "never a third");
    }

    /** Posts the EventBridge fixture to the function, as Lambda invokes it on the schedule, and reads its answer. */
    private static JsonNode sweep() {
        String raw = given().contentType("application/json").body(ApiEvents.fixture(SCHEDULED_EVENT).toString())
                .when().post("/").then().statusCode(200).extract().asString();
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + raw, e);
        }
    }

    /** Moves the delivery's next attempt into the past through the real store, as the end of its lease would. */
    private void leaseEnds(Delivery held) {
        assertTrue(deliveries.update(held.leased(Instant.now().minusSeconds(1)), held.version(), List.of()));
    }

    private Delivery seed(Delivery delivery) {
        assertTrue(deliveries.create(delivery, Optional.empty()));
        return delivery;
    }

    private Delivery stored(Delivery delivery) {
        return deliveries.find(delivery.deliveryId()).orElseThrow();
    }

    private static List<ReceivedMessage> relayed(String deliveryId) {
        return MscRelayResource.relay().messages().stream()
                .filter(message -> deliveryId.equals(message.header("X-Delivery-Id")))
                .toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        return user;
    }
}
