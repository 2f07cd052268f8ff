package com.deliverychannels.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.deliverychannels.config.TableConfig;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStore.KeyedCreation;
import com.deliverychannels.delivery.IdempotencyMarker;
import com.deliverychannels.testing.DeliveryFixtures;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Idempotency markers in DynamoDB Local: a create that loses the key learns who holds it from the refused
 * write itself, and the answer recorded with the outcome reads back as the delivery it was.
 */
@QuarkusTest
class DynamoDeliveryStoreIdempotencyTest {
    private static final Duration DAY = Duration.ofHours(24);
    private static final Duration IN_FLIGHT = Duration.ofSeconds(30);

    @Inject
    DynamoDbClient dynamo;
    @Inject
    TableConfig table;
    @Inject
    Clock clock;
    @Inject
    DynamoFailedDeliveryStore failedDeliveries;

    @Test
    void aLostCreateSaysWhoHoldsTheKeyWithoutReadingAgain() {
        // Every GetItem fails: the holder can only come from the refused transaction
        // (ReturnValuesOnConditionCheckFailure.ALL_OLD).
        DynamoDbClient noReads = (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getItem")) {
                        throw new AssertionError("a second round trip");
                    }
                    try {
                        return method.invoke(dynamo, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        DynamoDeliveryStore store = new DynamoDeliveryStore(noReads, table, clock, failedDeliveries);
        Delivery winner = DeliveryFixtures.sent("bob@example.org");
        String key = "k-" + UUID.randomUUID();
        IdempotencyMarker held = marker(winner, key, "hash-1");
        Delivery loser = DeliveryFixtures.sent("bob@example.org");

        assertInstanceOf(KeyedCreation.Created.class, store.create(winner, held));
        KeyedCreation lost = store.create(loser, IdempotencyMarker.inFlight(winner.userId(), key, "hash-2",
                loser.deliveryId(), Instant.now(), DAY, IN_FLIGHT));

        KeyedCreation.Taken taken = assertInstanceOf(KeyedCreation.Taken.class, lost);
        assertEquals(winner.deliveryId(), taken.holder().deliveryId());
        assertEquals("hash-1", taken.holder().requestHash());
        assertTrue(taken.holder().inFlightAt(Instant.now()));
        assertEquals(held.inFlightUntil(), taken.holder().inFlightUntil());
    }

    @Test
    void theAnswerRecordedWithTheOutcomeReadsBackAsTheDeliveryItWas() {
        DynamoDeliveryStore store = new DynamoDeliveryStore(dynamo, table, clock, failedDeliveries);
        Delivery accepted = DeliveryFixtures.sent("bob@example.org", "carol@example.org");
        String key = "k-" + UUID.randomUUID();
        IdempotencyMarker marker = marker(accepted, key, "hash");
        assertInstanceOf(KeyedCreation.Created.class, store.create(accepted, marker));
        Delivery sent = accepted.notified(accepted.status(),
                new com.deliverychannels.delivery.DeliveryEvent("DELIVERED", Instant.now(), "bob@example.org"));

        assertTrue(store.update(sent, accepted.version(), List.of(), marker.answered(sent)));

        IdempotencyMarker read = store.marker(accepted.userId(), key).orElseThrow();
        assertEquals(sent.deliveryId(), read.firstAnswer().orElseThrow().deliveryId());
        assertEquals(sent.events(), read.firstAnswer().orElseThrow().events());
        assertEquals(sent.to(), read.firstAnswer().orElseThrow().to());
        assertEquals(sent.status(), read.firstAnswer().orElseThrow().status());
        assertNull(read.inFlightUntil());
        assertEquals(false, read.inFlightAt(Instant.now()));
    }

    private static IdempotencyMarker marker(Delivery delivery, String key, String hash) {
        return IdempotencyMarker.inFlight(delivery.userId(), key, hash, delivery.deliveryId(), Instant.now(), DAY,
                IN_FLIGHT);
    }
}
