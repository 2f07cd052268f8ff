package com.deliverychannels.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.IdentityChange;
import com.deliverychannels.channel.IdentityService;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.MscRelayResource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Two retry sweeps running at once (an EventBridge schedule that fires while the previous run still works, or
 * a retried invocation) never send the same delivery twice: each delivery is claimed by exactly one of them,
 * and every due delivery is sent. Runs against the real store (DynamoDB Local) and our relay.
 */
@QuarkusTest
class RetrySweepConcurrencyTest {
    private static final int DELIVERIES = 60;

    @Inject
    RetrySweep sweep;

    @Inject
    DeliveryStore deliveries;

    @Inject
    IdentityService identities;

    @Test
    void twoSweepsAtOnceSendEachDueDeliveryExactlyOnce() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String identityId = identities.create(user, new IdentityChange("Alice Martin", "alice@example.com", null))
                .identity().id();
        List<Delivery> seeded = IntStream.range(0, DELIVERIES)
                .mapToObj(i -> DeliveryFixtures.retryScheduled(user, identityId, "alice@example.com", ChannelType.MSC, 1,
                        Instant.now().minusSeconds(60 + i), 1))
                .peek(d -> assertTrue(deliveries.create(d, Optional.empty())))
                .toList();
        Set<String> ours = seeded.stream().map(Delivery::deliveryId).collect(Collectors.toSet());

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService sweeps = Executors.newFixedThreadPool(2);
        List<RetrySweep.Summary> summaries;
        try {
            List<Future<RetrySweep.Summary>> running = IntStream.range(0, 2)
                    .mapToObj(i -> sweeps.submit(() -> {
                        start.await();
                        return sweep.sweep();
                    }))
                    .toList();
            start.countDown();
            summaries = List.of(running.get(0).get(2, TimeUnit.MINUTES), running.get(1).get(2, TimeUnit.MINUTES));
        } finally {
            sweeps.shutdownNow();
        }

        Map<String, Long> copies = MscRelayResource.relay().messages().stream()
                .map(message -> message.header("X-Delivery-Id"))
                .filter(ours::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map<String, Long> sentTwice = copies.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), sentTwice, "no delivery leaves twice");
        assertEquals(ours, copies.keySet(), "every due delivery left once");

        for (Delivery before : seeded) {
            Delivery after = deliveries.find(before.deliveryId()).orElseThrow();
            assertEquals(DeliveryStatus.SENT, after.status(), after.toString());
            assertEquals(before.attempts() + 1, after.attempts(), "one attempt by one sweep: " + after);
            assertEquals(List.of("ACCEPTED", "RETRY_SCHEDULED", "SENT"),
                    after.events().stream().map(DeliveryEvent::type).toList(), after.toString());
        }

        int claimed = summaries.get(0).claimed() + summaries.get(1).claimed();
        int sent = summaries.get(0).sent() + summaries.get(1).sent();
        // Other tests' leftovers in the shared table may be due too and counted: at least ours.
        assertTrue(claimed >= DELIVERIES, "claimed " + summaries);
        assertTrue(sent >= DELIVERIES, "sent " + summaries);
        for (RetrySweep.Summary summary : summaries) {
            assertEquals(summary.claimed(), summary.sent() + summary.rescheduled() + summary.failed(),
                    "every claim has one outcome: " + summary);
        }
    }
}
